import type { Target } from './context';
import type { Row } from './http-load';

/** The table of rows and their targets, as Markdown (docs/performance.md takes them). */

const ms = (v: number) => (Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const count = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : v.toLocaleString('en-US'));

function markdown(header: string[], body: string[][], numeric: (i: number) => boolean): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  ];
}

export function table(rows: Row[]): string[] {
  const header = ['scenario', 'req/s', 'refused/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'vs', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    count(r.rps),
    count(r.refusedRps),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    String(r.errors),
    r.ratio ? `${Math.round(r.ratio.value * 100)}% of ${r.ratio.of}` : '',
    r.note ?? '',
  ]);
  return markdown(header, body, (i) => i >= 1 && i <= 6);
}

export function targets(list: Target[]): string[] {
  const body = list.map((t) => [t.target, t.measured, t.met === null ? 'not measured' : t.met ? 'met' : 'missed']);
  return markdown(['target', 'measured', ''], body, () => false);
}
