'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { LanguageSwitch } from './language-switch';
import { TurnBanner } from './turn-banner';

function DisplayName() {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  // SessionGate asks (once the session exists); this only shows its answer.
  const me = trpc.session.me.useQuery(undefined, { staleTime: Infinity, enabled: false });
  const rename = trpc.session.start.useMutation({ onSuccess: (user) => utils.session.me.setData(undefined, user) });
  const [editing, setEditing] = useState(false);
  if (!me.data) return null;
  if (!editing) {
    return (
      <span className="whoami">
        {t('name.greeting', { name: me.data.name })}{' '}
        <button type="button" className="link-button" onClick={() => setEditing(true)}>
          {t('name.edit')}
        </button>
      </span>
    );
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (name) rename.mutate({ name }, { onSuccess: () => setEditing(false) });
  };
  return (
    <form className="rename" onSubmit={submit}>
      <label>
        <span className="visually-hidden">{t('name.label')}</span>
        <input name="name" defaultValue={me.data.name} maxLength={40} required autoFocus aria-label={t('name.label')} />
      </label>
      <button type="submit" disabled={rename.isPending}>
        {t('name.save')}
      </button>
      <button type="button" className="link-button" onClick={() => setEditing(false)}>
        {t('name.cancel')}
      </button>
    </form>
  );
}

/** "Sign in" for a guest, "Account" once signed in. */
function AccountLink() {
  const { t } = useI18n();
  const me = trpc.session.me.useQuery(undefined, { staleTime: Infinity, enabled: false });
  if (!me.data) return null;
  return me.data.account ? <Link href="/account">{t('nav.account')}</Link> : <Link href="/account/sign-in">{t('nav.signIn')}</Link>;
}

export function Header({ hasQueueToken }: { hasQueueToken: boolean }) {
  const { t } = useI18n();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          {t('brand')}
        </Link>
        <nav aria-label="Main">
          <Link href="/">{t('nav.home')}</Link>
          <Link href="/reservations">{t('nav.reservations')}</Link>
          <Link href="/wallet">{t('nav.wallet')}</Link>
          <AccountLink />
        </nav>
        <div className="header-tools">
          <DisplayName />
          <LanguageSwitch />
        </div>
      </div>
      <TurnBanner hasQueueToken={hasQueueToken} />
    </header>
  );
}
