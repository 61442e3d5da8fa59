import type { Config } from '@/server/env';
import type { OperatorRole } from './roles';

/** Where an invitation's link leads: a page of the console (app/admin/invite). */
export const INVITATION_PATH = '/admin/invite';

const ROLE_NAMES: Record<OperatorRole, { ko: string; en: string }> = {
  owner: { ko: '소유자', en: 'owner' },
  manager: { ko: '매니저', en: 'manager' },
  door: { ko: '입장 확인', en: 'door' },
};

/** The invitation mail, in Korean and English (the invitee's language is not known). */
export function invitationMail(config: Pick<Config, 'APP_ORIGIN'>, { to, role, token }: { to: string; role: OperatorRole; token: string }) {
  const link = `${config.APP_ORIGIN}${INVITATION_PATH}?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: '운영 콘솔 초대 · You are invited to the operator console',
    text: [
      `운영 콘솔에 ${ROLE_NAMES[role].ko} 역할로 초대되었습니다. 아래 링크를 열어 수락하세요 (7일 동안 유효, 한 번만 사용):`,
      link,
      '',
      `You are invited to the operator console as ${ROLE_NAMES[role].en}. Open this link to accept (valid for 7 days, once):`,
      link,
    ].join('\n'),
  };
}
