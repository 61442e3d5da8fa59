'use client';

import { kstClock } from '@/app/admin/_components/kst';
import { useI18n } from '@/app/_i18n/provider';
import type { DoorTicket } from './door-contract';
import type { ShownAnswer } from './use-door-check';
import { UndoEntry } from './undo-entry';

/**
 * The answer to a scan, big enough to read from a step away at a busy door: green "let in", amber
 * "already used" (when and where), red "do not let in" with the reason in words. A refusal or a
 * repeat is an alert (read out at once); a valid ticket a status.
 */
export function DoorAnswerView({
  shown,
  canUndo,
  onUndone,
}: {
  shown: ShownAnswer;
  canUndo: boolean;
  onUndone: (reference: string) => void;
}) {
  const { t } = useI18n();
  const { answer, offline } = shown;
  const ticket = answer.ticket;
  const headline =
    answer.outcome === 'admitted'
      ? t('door.answer.admitted')
      : answer.outcome === 'already_used'
        ? t('door.answer.already_used', {
            time: answer.ticket.entry ? kstClock(answer.ticket.entry.at) : '?',
            gate: answer.ticket.entry?.gate ?? '?',
          })
        : t('door.answer.refused');
  return (
    <div
      key={shown.id}
      className={`door-answer door-answer-${answer.outcome}`}
      role={answer.outcome === 'admitted' ? 'status' : 'alert'}
      aria-atomic="true"
    >
      <p className="door-answer-headline">{headline}</p>
      {answer.outcome === 'refused' && <p className="door-answer-reason">{t(`door.reason.${answer.reason}`)}</p>}
      {offline && <p className="door-answer-offline">{t('door.answer.offline')}</p>}
      {ticket && <TicketFacts ticket={ticket} />}
      {answer.outcome === 'already_used' && answer.ticket.entry?.operatorName && (
        <p>{t('door.answer.already_used_by', { operator: answer.ticket.entry.operatorName })}</p>
      )}
      {canUndo && !offline && ticket?.entry && answer.outcome !== 'refused' && (
        <UndoEntry reference={ticket.reference} onUndone={onUndone} />
      )}
    </div>
  );
}

function TicketFacts({ ticket }: { ticket: DoorTicket }) {
  const { t } = useI18n();
  return (
    <dl className="door-facts">
      <div>
        <dt>{t('door.answer.seat')}</dt>
        <dd>{ticket.seat}</dd>
      </div>
      <div>
        <dt>{t('door.answer.holder')}</dt>
        <dd>{ticket.holderName}</dd>
      </div>
      <div>
        <dt>{t('door.answer.reference')}</dt>
        <dd>{ticket.reference}</dd>
      </div>
    </dl>
  );
}
