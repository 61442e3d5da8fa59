import { notFound } from 'next/navigation';
import { OUTBOX_DIR } from '@/server/mail/outbox-file';
import { readOutboxMessage } from '@/server/mail/outbox-reader';
import { OutboxMessageView } from '../_components/outbox-message';

/** One message of the development outbox, its text with its links clickable. */
export default async function OutboxMessagePage({ params }: { params: Promise<{ id: string }> }) {
  const message = await readOutboxMessage(OUTBOX_DIR, (await params).id);
  if (!message) notFound();
  return <OutboxMessageView message={message} />;
}
