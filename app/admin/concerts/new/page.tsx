'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { rowName } from '@/server/shared/rows';
import { Field } from '@/app/admin/_components/field';
import { fieldErrorsOf } from '@/app/admin/_components/field-errors';
import { fromKstInput, kstInputIn } from '@/app/admin/_components/kst';

interface SectionForm {
  key: number;
  name: string;
  price: string;
  rows: string;
  seatsPerRow: string;
}

const DAY_MINUTES = 24 * 60;
let sectionKeys = 0;
const section = (name: string, price: number, rows: number, seatsPerRow: number): SectionForm => ({
  key: ++sectionKeys,
  name,
  price: String(price),
  rows: String(rows),
  seatsPerRow: String(seatsPerRow),
});

const wholeNumber = (value: string) => (value.trim() === '' ? NaN : Number(value.replace(/[,\s]/g, '')));
const optionalNumber = (value: string) => (value.trim() === '' ? undefined : wholeNumber(value));

/** Creates a concert, its dates and seat maps, and schedules its sale, in one step. */
export default function CreateConcertPage() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const router = useRouter();
  const utils = trpc.useUtils();
  const [title, setTitle] = useState('');
  const [artist, setArtist] = useState('');
  const [venue, setVenue] = useState('');
  const [dates, setDates] = useState(() => [{ key: 1, value: kstInputIn(30 * DAY_MINUTES) }]);
  const [sections, setSections] = useState(() => [section('VIP', 165_000, 2, 10), section('R', 132_000, 3, 10)]);
  const [prequeueOpensAt, setPrequeueOpensAt] = useState(() => kstInputIn(10));
  const [opensAt, setOpensAt] = useState(() => kstInputIn(40));
  const [maxActive, setMaxActive] = useState('');
  const [turnSeconds, setTurnSeconds] = useState('');
  const [audience, setAudience] = useState<'everyone' | 'accounts'>('everyone');
  const create = trpc.admin.concert.create.useMutation({
    onSuccess: async ({ concertId }) => {
      await utils.admin.sale.list.invalidate();
      router.push(`/admin/sales/${concertId}`);
    },
  });
  const errors = fieldErrorsOf(create.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      title,
      artist,
      venue,
      dates: dates.map((d) => fromKstInput(d.value)),
      sections: sections.map((s) => ({
        name: s.name,
        price: wholeNumber(s.price),
        rows: wholeNumber(s.rows),
        seatsPerRow: wholeNumber(s.seatsPerRow),
      })),
      sale: {
        prequeueOpensAt: fromKstInput(prequeueOpensAt),
        opensAt: fromKstInput(opensAt),
        maxActive: optionalNumber(maxActive),
        turnSeconds: optionalNumber(turnSeconds),
        audience,
      },
    });
  };
  const updateSection = (key: number, change: Partial<SectionForm>) =>
    setSections((all) => all.map((s) => (s.key === key ? { ...s, ...change } : s)));
  const rowCount = sections.reduce((n, s) => n + (wholeNumber(s.rows) || 0), 0);
  const seatCount = sections.reduce((n, s) => n + (wholeNumber(s.rows) || 0) * (wholeNumber(s.seatsPerRow) || 0), 0);

  return (
    <section aria-labelledby="create-title" className="create-concert">
      <p>
        <Link href="/admin">← {t('admin.dash.back')}</Link>
      </p>
      <h1 id="create-title">{t('admin.create.title')}</h1>
      <p className="muted">{t('admin.create.intro')}</p>
      <form onSubmit={submit} noValidate>
        <fieldset className="card">
          <legend>{t('admin.create.concert')}</legend>
          <Field
            id="title"
            label={t('admin.create.concertTitle')}
            path="title"
            errors={errors}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
          <Field
            id="artist"
            label={t('admin.create.artist')}
            path="artist"
            errors={errors}
            value={artist}
            onChange={(e) => setArtist(e.target.value)}
          />
          <Field
            id="venue"
            label={t('admin.create.venue')}
            path="venue"
            errors={errors}
            value={venue}
            onChange={(e) => setVenue(e.target.value)}
          />
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.create.dates')}</legend>
          {errors.dates && <p className="field-error">{t('admin.field.required')}</p>}
          {dates.map((d, i) => (
            <div key={d.key} className="field-row">
              <Field
                id={`date-${d.key}`}
                label={t('admin.create.date', { n: i + 1 })}
                type="datetime-local"
                path={`dates.${i}`}
                errors={errors}
                value={d.value}
                onChange={(e) => setDates((all) => all.map((x) => (x.key === d.key ? { ...x, value: e.target.value } : x)))}
              />
              {dates.length > 1 && (
                <button type="button" onClick={() => setDates((all) => all.filter((x) => x.key !== d.key))}>
                  {t('admin.create.removeDate', { n: i + 1 })}
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            onClick={() =>
              setDates((all) => [
                ...all,
                { key: Math.max(...all.map((x) => x.key)) + 1, value: kstInputIn((30 + all.length) * DAY_MINUTES) },
              ])
            }
          >
            {t('admin.create.addDate')}
          </button>
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.create.sections')}</legend>
          {errors.sections && (
            <p className="field-error">
              {errors.sections.some((m) => /at most/.test(m)) ? t('admin.field.tooBig') : t('admin.field.required')}
            </p>
          )}
          {sections.map((s, i) => (
            <fieldset key={s.key} className="section-fieldset">
              <legend>{t('admin.create.section', { n: i + 1 })}</legend>
              <div className="field-grid">
                <Field
                  id={`section-${s.key}-name`}
                  label={t('admin.create.sectionName')}
                  path={`sections.${i}.name`}
                  errors={errors}
                  value={s.name}
                  onChange={(e) => updateSection(s.key, { name: e.target.value })}
                />
                <Field
                  id={`section-${s.key}-price`}
                  label={t('admin.create.price')}
                  inputMode="numeric"
                  path={`sections.${i}.price`}
                  errors={errors}
                  value={s.price}
                  onChange={(e) => updateSection(s.key, { price: e.target.value })}
                />
                <Field
                  id={`section-${s.key}-rows`}
                  label={t('admin.create.rows')}
                  inputMode="numeric"
                  path={`sections.${i}.rows`}
                  errors={errors}
                  value={s.rows}
                  onChange={(e) => updateSection(s.key, { rows: e.target.value })}
                />
                <Field
                  id={`section-${s.key}-seats`}
                  label={t('admin.create.seatsPerRow')}
                  inputMode="numeric"
                  path={`sections.${i}.seatsPerRow`}
                  errors={errors}
                  value={s.seatsPerRow}
                  onChange={(e) => updateSection(s.key, { seatsPerRow: e.target.value })}
                />
              </div>
              {sections.length > 1 && (
                <button type="button" onClick={() => setSections((all) => all.filter((x) => x.key !== s.key))}>
                  {t('admin.create.removeSection', { n: i + 1 })}
                </button>
              )}
            </fieldset>
          ))}
          <div className="actions">
            <button type="button" onClick={() => setSections((all) => [...all, section('', 99_000, 2, 10)])}>
              {t('admin.create.addSection')}
            </button>
            {rowCount > 0 && (
              <span className="muted">
                {t('admin.create.mapSummary', { seats: seatCount.toLocaleString(), last: rowName(rowCount - 1) })}
              </span>
            )}
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.create.sale')}</legend>
          <div className="field-grid">
            <Field
              id="prequeue-opens-at"
              label={t('admin.create.prequeueOpensAt')}
              type="datetime-local"
              path="sale.prequeueOpensAt"
              errors={errors}
              value={prequeueOpensAt}
              onChange={(e) => setPrequeueOpensAt(e.target.value)}
            />
            <Field
              id="opens-at"
              label={t('admin.create.opensAt')}
              type="datetime-local"
              path="sale.opensAt"
              errors={errors}
              value={opensAt}
              onChange={(e) => setOpensAt(e.target.value)}
            />
            <Field
              id="max-active"
              label={t('admin.create.maxActive')}
              inputMode="numeric"
              path="sale.maxActive"
              errors={errors}
              value={maxActive}
              onChange={(e) => setMaxActive(e.target.value)}
            />
            <Field
              id="turn-seconds"
              label={t('admin.create.turnSeconds')}
              inputMode="numeric"
              path="sale.turnSeconds"
              errors={errors}
              value={turnSeconds}
              onChange={(e) => setTurnSeconds(e.target.value)}
            />
            <div className="field">
              <label htmlFor="audience">{t('admin.create.audience')}</label>
              <select id="audience" value={audience} onChange={(e) => setAudience(e.target.value as 'everyone' | 'accounts')}>
                <option value="everyone">{t('admin.audience.everyone')}</option>
                <option value="accounts">{t('admin.audience.accounts')}</option>
              </select>
            </div>
          </div>
        </fieldset>

        {create.error && (
          <p className="notice notice-error" role="alert">
            {reasonOf(create.error) === 'INVALID_INPUT' ? t('admin.create.invalid') : message(create.error)}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={create.isPending}>
          {create.isPending ? t('admin.create.creating') : t('admin.create.submit')}
        </button>
      </form>
    </section>
  );
}
