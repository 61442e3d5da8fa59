import type { Config } from '@/server/env';

/** Where an offered ticket is claimed: signing up (or in) with the address it was offered to. */
export const CLAIM_PATH = '/account/sign-up';

const KST = { timeZone: 'Asia/Seoul', dateStyle: 'medium', timeStyle: 'short' } as const;

/** The mail to an address a ticket was offered to, in Korean and English (their language is not known). */
export function offerMail(
  config: Pick<Config, 'APP_ORIGIN'>,
  {
    to,
    from,
    ticket,
    expiresAt,
  }: { to: string; from: string; ticket: { concertTitle: string; startsAt: Date; seat: string }; expiresAt: Date },
) {
  const link = `${config.APP_ORIGIN}${CLAIM_PATH}?email=${encodeURIComponent(to)}&next=${encodeURIComponent('/reservations')}`;
  const when = (locale: string) => ticket.startsAt.toLocaleString(locale, KST);
  const until = (locale: string) => expiresAt.toLocaleString(locale, KST);
  return {
    to,
    subject: `${from}님이 티켓을 보냈습니다 · ${from} passed you a ticket`,
    text: [
      `${from}님이 ${ticket.concertTitle} (${when('ko-KR')}, ${ticket.seat}) 티켓을 보냈습니다.`,
      `${until('ko-KR')}까지 이 주소로 가입하고 이메일을 확인하면 내 티켓에 나타납니다:`,
      link,
      '',
      `${from} passed you a ticket for ${ticket.concertTitle} (${when('en-GB')}, ${ticket.seat}).`,
      `Sign up with this address and confirm it by ${until('en-GB')} and it appears in your tickets:`,
      link,
    ].join('\n'),
  };
}
