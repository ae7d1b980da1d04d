/**
 * Plain-text output for humans: aligned tables, label/value lists, the one-time secret box, times.
 * Pure: strings in, strings out. Every value that came from the server passes through `clean` first, so that a
 * credential name or an IdP's User-Agent cannot move the cursor or recolour the terminal.
 */

/** Control characters (C0, DEL, C1) that a terminal interprets; replaced by a visible '?'. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A value fit for one terminal cell: control characters replaced, undefined/null shown as '-'. */
export function clean(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  return text.replace(CONTROL, '?');
}

/** Display width: one column per code point (no East Asian wide-character tables; good enough for ids and names). */
export function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, to: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

export interface TableOptions {
  /** Per column; default left. */
  align?: ('left' | 'right')[];
  /** Columns longer than this are cut with '…' (0 = never). Per column; default none. */
  maxWidth?: number[];
}

function truncate(text: string, max: number | undefined): string {
  if (!max || width(text) <= max) return text;
  return [...text].slice(0, Math.max(1, max - 1)).join('') + '…';
}

/**
 * An aligned table: an upper-case header row, then one line per row, columns separated by two spaces, no trailing
 * spaces. Cells are cleaned (see `clean`).
 */
export function formatTable(headers: string[], rows: unknown[][], options: TableOptions = {}): string {
  const cells = [
    headers.map((h) => h.toUpperCase()),
    ...rows.map((r) => headers.map((_, i) => truncate(clean(r[i]), options.maxWidth?.[i]))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  return cells
    .map((r) =>
      r
        .map((c, i) => pad(c, widths[i] ?? 0, options.align?.[i] ?? 'left'))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `Label:  value` lines with aligned values; pairs whose value is undefined are left out. */
export function formatFields(pairs: [string, unknown][], indent = ''): string {
  const shown = pairs.filter(([, v]) => v !== undefined);
  const w = Math.max(0, ...shown.map(([k]) => width(k) + 1));
  return shown.map(([k, v]) => `${indent}${pad(`${k}:`, w, 'left')}  ${clean(v)}`.trimEnd()).join('\n');
}

/**
 * A box around lines (the secret). Lines are never wrapped: a secret must stay on one line so that a double-click
 * or a triple-click selects all of it.
 */
export function box(lines: string[]): string {
  const w = Math.max(...lines.map(width));
  const horizontal = '─'.repeat(w + 4);
  return [`┌${horizontal}┐`, ...lines.map((l) => `│  ${pad(l, w, 'left')}  │`), `└${horizontal}┘`].join('\n');
}

/** `2026-11-24 12:06Z`; the input unchanged when it is not a date. */
export function formatTime(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

/** `in 3d`, `5h ago`, `just now`: the largest whole unit. */
export function relativeTime(iso: string | undefined, now: Date): string | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const diff = ms - now.getTime();
  const abs = Math.abs(diff);
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      return diff > 0 ? `in ${n}${unit}` : `${n}${unit} ago`;
    }
  }
  return 'just now';
}

/** `2026-11-24 12:06Z (in 365d)`. */
export function timeWithRelative(iso: string | undefined, now: Date): string | undefined {
  const abs = formatTime(iso);
  const rel = relativeTime(iso, now);
  if (abs === undefined) return undefined;
  return rel ? `${abs} (${rel})` : abs;
}
