import { OUTBOX_DIR } from '@/server/mail/outbox-file';
import { listOutbox } from '@/server/mail/outbox-reader';
import { OutboxList } from './_components/outbox-list';

/** Every message in the development outbox, newest first. */
export default async function OutboxPage() {
  return <OutboxList messages={await listOutbox(OUTBOX_DIR)} />;
}
