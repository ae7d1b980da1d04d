/** DOM helpers: elements are built with createElement only (no innerHTML, no inline style: the CSP is strict). */

type Child = Node | string | false | null | undefined;
type Attrs = Record<string, string | boolean | number | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

let ids = 0;
export const uid = (prefix: string) => `${prefix}-${++ids}`;

/** Announces a message to screen readers and shows it. */
export function announce(text: string, kind: 'ok' | 'error' = 'ok'): void {
  const status = document.getElementById('status');
  if (!status) return;
  status.className = `status ${kind}`;
  status.textContent = text;
}

/** Shows a progress indicator for anything slower than a moment (150 ms). */
export async function busy<T>(work: Promise<T>): Promise<T> {
  const indicator = document.getElementById('busy');
  const main = document.getElementById('main');
  const timer = setTimeout(() => {
    if (indicator) indicator.hidden = false;
    main?.setAttribute('aria-busy', 'true');
  }, 150);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    if (indicator) indicator.hidden = true;
    main?.removeAttribute('aria-busy');
  }
}

/** A labelled form field; returns the wrapper and the control. */
export function field<T extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
  label: string,
  control: T,
  help?: string,
): HTMLDivElement {
  const id = control.id || uid('f');
  control.id = id;
  const helpId = help ? `${id}-help` : undefined;
  if (helpId) control.setAttribute('aria-describedby', helpId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    help ? h('p', { class: 'help', id: helpId }, help) : null,
  );
}

export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    announce(`${what} copied to the clipboard.`);
  } catch {
    announce(`Could not copy ${what.toLowerCase()}: select it and press Ctrl+C.`, 'error');
  }
}

/** An eye drawn as inline SVG (no icon font, no emoji: headless and minimal systems have neither). */
function eyeIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const outline = document.createElementNS(ns, 'path');
  outline.setAttribute('d', 'M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z');
  const pupil = document.createElementNS(ns, 'circle');
  pupil.setAttribute('cx', '12');
  pupil.setAttribute('cy', '12');
  pupil.setAttribute('r', '3');
  for (const part of [outline, pupil]) {
    part.setAttribute('fill', 'none');
    part.setAttribute('stroke', 'currentColor');
    part.setAttribute('stroke-width', '2');
    svg.append(part);
  }
  return svg;
}

/** A read-only value with a copy button; secrets are masked with an eye button. */
export function valueRow(label: string, value: string, options: { secret?: boolean } = {}): HTMLDivElement {
  const input = h('input', {
    type: options.secret ? 'password' : 'text',
    readonly: true,
    value,
    class: 'value',
  });
  input.value = value;
  const controls: HTMLElement[] = [];
  if (options.secret) {
    const eye = h('button', {
      type: 'button',
      class: 'icon',
      'aria-pressed': 'false',
      'aria-label': `Show ${label.toLowerCase()}`,
    });
    eye.append(eyeIcon());
    eye.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      eye.setAttribute('aria-pressed', String(show));
      eye.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${label.toLowerCase()}`);
    });
    controls.push(eye);
  }
  controls.push(
    h(
      'button',
      { type: 'button', class: 'copy', 'data-copy': label, onclick: () => void copyText(value, label) },
      `Copy ${label.toLowerCase()}`,
    ),
  );
  return h('div', { class: 'value-row' }, field(label, input), h('div', { class: 'row-actions' }, controls));
}

/** A modal dialog (native <dialog>: focus is trapped and returned by the browser). Resolves with the choice. */
export function confirmDialog(options: {
  title: string;
  body: (string | Node)[];
  confirm: string;
  cancel?: string;
  danger?: boolean;
  extra?: HTMLElement;
}): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' });
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h('h2', { id: titleId }, options.title),
      ...options.body.map((b) => (typeof b === 'string' ? h('p', {}, b) : b)),
      options.extra ?? '',
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => done(false) },
          options.cancel ?? 'Cancel',
        ),
        h(
          'button',
          { type: 'button', class: options.danger ? 'danger' : 'primary', onclick: () => done(true) },
          options.confirm,
        ),
      ),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A table with a caption; `rows` are arrays of cells. */
export function table(caption: string, headers: string[], rows: (string | Node)[][]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  return (
    new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) +
    ' UTC'
  );
}

/** "in 12 days", "3 days ago", "today". */
export function relativeDays(iso: string, now = Date.now()): string {
  const days = Math.round((Date.parse(iso) - now) / 86_400_000);
  if (days === 0) return 'today';
  if (days > 0) return `in ${days} day${days === 1 ? '' : 's'}`;
  return `${-days} day${days === -1 ? '' : 's'} ago`;
}
