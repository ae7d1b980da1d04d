/**
 * `scimgate events tail`: follows a tenant's change events through the events API (docs/events.md). Each request
 * asks for what comes after the cursor of the previous answer; an empty page returns the same cursor, so the loop
 * just waits and asks again. Starts at the end of the log unless --from-start or --after says otherwise.
 */
import { send, type ClientDeps, type Target } from './client';
import type { RequestPlan } from './plan';

export interface TailIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Stops the tail (Ctrl-C in the CLI; tests). */
  signal?: AbortSignal;
}

export interface TailOptions {
  fromStart: boolean;
  once: boolean;
  json: boolean;
  intervalMs: number;
}

interface EventLike {
  id?: string;
  type?: string;
  time?: string;
  resourceType?: string;
  resourceId?: string;
  member?: { value?: string };
  actor?: { credentialId?: string | null; idp?: string | null; principal?: string } | null;
  changedAttributes?: string[];
}

interface Page {
  events: EventLike[];
  next: string;
}

// eslint-disable-next-line no-control-regex
const printable = (v: unknown) => String(v ?? '-').replace(/[\u0000-\u001f\u007f]/g, '?');

/** One line per event: time, type, resource, who. */
export function eventLine(e: EventLike): string {
  const who = e.actor
    ? e.actor.principal
      ? `by ${printable(e.actor.principal)}`
      : `by ${printable(e.actor.idp ?? 'unknown IdP')} (credential ${printable(e.actor.credentialId)})`
    : '';
  const what = [
    `${printable(e.resourceType)} ${printable(e.resourceId)}`,
    e.member ? `member ${printable(e.member.value)}` : '',
    e.changedAttributes?.length ? `[${e.changedAttributes.map(printable).join(', ')}]` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${printable(e.time)}  ${printable(e.type).padEnd(28)} ${what}${who ? `  ${who}` : ''}`;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export async function tailEvents(
  target: Target,
  first: RequestPlan,
  deps: ClientDeps,
  io: TailIo,
  options: TailOptions,
): Promise<void> {
  const fetchPage = async (after: string | undefined): Promise<Page> => {
    const query = { ...first.query };
    if (after !== undefined && after !== '') query.after = after;
    else delete query.after;
    const res = await send(target, { ...first, query }, deps);
    const body = (res.body ?? {}) as Partial<Page>;
    return { events: Array.isArray(body.events) ? body.events : [], next: String(body.next ?? after ?? '') };
  };
  let cursor = first.query?.after;
  if (cursor === undefined && !options.fromStart) {
    // Skip the history: walk to the end of the log without printing.
    for (;;) {
      const page = await fetchPage(cursor);
      cursor = page.next;
      if (page.events.length === 0) break;
    }
  }
  while (!io.signal?.aborted) {
    const page = await fetchPage(cursor);
    for (const e of page.events) io.stdout.write(`${options.json ? JSON.stringify(e) : eventLine(e)}\n`);
    cursor = page.next;
    if (page.events.length > 0) continue;
    if (options.once) break;
    await sleep(options.intervalMs, io.signal);
  }
  io.stderr.write(`cursor: ${cursor ?? ''} (continue with --after ${cursor ?? ''})\n`);
}
