import type { Config } from '@/server/env';

/** What accounts need of the mail layer (server/mail): send one message. */
export interface MailSender {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

/** Where the links in account mail lead: pages of the web app (app/account/…). */
export const VERIFY_EMAIL_PATH = '/account/verify';
export const RESET_PASSWORD_PATH = '/account/reset';

const linkTo = (origin: string, path: string, token: string) => `${origin}${path}?token=${encodeURIComponent(token)}`;

/** The account mails, in Korean and English (a fan's language is not known when a mail leaves). */
export function accountMail(config: Pick<Config, 'APP_ORIGIN'>, mail: MailSender) {
  return {
    verifyEmail: ({ to, name, token }: { to: string; name: string; token: string }) => {
      const link = linkTo(config.APP_ORIGIN, VERIFY_EMAIL_PATH, token);
      return mail.send({
        to,
        subject: '이메일 주소 확인 · Confirm your email address',
        text: [
          `${name}님, 아래 링크를 열어 이메일 주소를 확인해 주세요 (1시간 동안 유효):`,
          link,
          '',
          `${name}, open this link to confirm your email address (valid for one hour):`,
          link,
          '',
          '가입하지 않았다면 이 메일을 무시하세요. · If you did not sign up, ignore this mail.',
        ].join('\n'),
      });
    },
    resetPassword: ({ to, name, token }: { to: string; name: string; token: string }) => {
      const link = linkTo(config.APP_ORIGIN, RESET_PASSWORD_PATH, token);
      return mail.send({
        to,
        subject: '비밀번호 재설정 · Reset your password',
        text: [
          `${name}님, 아래 링크에서 새 비밀번호를 정하세요 (1시간 동안 유효, 한 번만 사용):`,
          link,
          '',
          `${name}, set a new password at this link (valid for one hour, once):`,
          link,
          '',
          '요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다. · If you did not ask for this, ignore this mail: your password stays as it is.',
        ].join('\n'),
      });
    },
  };
}
