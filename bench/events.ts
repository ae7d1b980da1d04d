/**
 * Change events (docs/events.md): the time from a SCIM write's response to its event being readable through the
 * events API, and what events cost in DynamoDB round trips.
 *
 * The producer runs as `npm start` runs it (functions/local/event-stream.ts, DynamoDB Local's stream read through
 * the Streams API, 50 ms pause when a poll finds nothing), with a core and document client of its own, so the
 * request path's calls (the workload's counter) and the consumer's are counted apart. Writes are sequential: one
 * PATCH of a user (alternating `active`, so each is a `user.deactivated` or `user.reactivated`), then the events API
 * is polled (every 2 ms, with the cursor) until that version's event is there.
 */
import { loadavg } from 'node:os';
import { startEventStream } from '../functions/local/event-stream';
import { buildContainer, type Container } from '../functions/compose/container';
import { loadConfig } from '../shared/config';
import { localTableClient } from '../shared/adapters/dynamodb/create-table';
import type { ChangeEvent } from '../shared/domain/events/model';
import { DynamoCallCounter, total, type CallCounts } from './ddb-counter';
import type { ScimClient } from './http';
import { latencyStats, round, type LatencyStats } from './stats';

export interface EventsReport {
  writes: number;
  /** Other work on the machine skews the latencies: the 1-minute load average at both ends. */
  loadAverage1m: { atStart: number; atEnd: number };
  /** Response of the PATCH → its event returned by GET /admin/v1/tenants/{tenant}/events. */
  responseToReadableMs: LatencyStats;
  /** DynamoDB calls of the SCIM request path per PATCH, stream on (must equal the workload's PATCH user figure). */
  requestPathCallsPerWrite: number;
  requestPathCallsByCommand: CallCounts;
  /** DynamoDB calls the consumer made per event (off the request path: in AWS, the stream Lambda's). */
  consumerCallsPerEvent: number;
  consumerCallsByCommand: CallCounts;
}

export async function measureEvents(options: {
  client: ScimClient;
  requestCounter: DynamoCallCounter;
  adminUrl: string;
  adminKey: string;
  tenantId: string;
  writes: number;
  log: (message: string) => void;
}): Promise<EventsReport> {
  const { client, requestCounter, writes, log } = options;
  const loadAtStart = round(loadavg()[0] ?? NaN, 2);
  const consumer: Container = buildContainer(loadConfig());
  const consumerCounter = DynamoCallCounter.attach(consumer.doc);
  // The event-stream function's handler over a core of its own (another Lambda in AWS).
  const reader = await startEventStream({
    client: localTableClient(consumer.config.DYNAMODB_ENDPOINT ?? '', consumer.config.AWS_REGION),
    ...(consumer.config.DYNAMODB_ENDPOINT ? { endpoint: consumer.config.DYNAMODB_ENDPOINT } : {}),
    region: consumer.config.AWS_REGION ?? 'us-east-1',
    tableName: consumer.config.TABLE_NAME,
    handler: consumer.events.streamHandler,
    onError: (e) => log(`event stream: ${String(e)}`),
    startAt: 'latest',
  });
  try {
    const user = await client.json<{ id: string }>(
      {
        method: 'POST',
        path: 'Users',
        body: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `events-bench-${Date.now()}`,
        },
      },
      201,
    );
    const eventsUrl = `${options.adminUrl}/tenants/${encodeURIComponent(options.tenantId)}/events`;
    const readPage = async (after: string): Promise<{ events: ChangeEvent[]; next: string }> => {
      const res = await fetch(`${eventsUrl}?limit=1000${after ? `&after=${after}` : ''}`, {
        headers: { 'x-admin-key': options.adminKey },
      });
      return (await res.json()) as { events: ChangeEvent[]; next: string };
    };
    // Wait for the creation's event, and start the cursor after it.
    let cursor = '';
    for (let seen = false; !seen;) {
      const page = await readPage(cursor);
      cursor = page.next;
      seen = page.events.some((e) => e.resourceId === user.id);
      if (!seen) await new Promise((r) => setTimeout(r, 5));
    }

    const samples: number[] = [];
    const writePath: CallCounts = {};
    const consumerBefore = consumerCounter.snapshot();
    let events = 0;
    for (let i = 0; i < writes; i++) {
      // Writes are sequential and the events API is read only after the response: the calls between are the write's.
      const before = requestCounter.snapshot();
      const res = await client.send({
        method: 'PATCH',
        path: `Users/${user.id}`,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: i % 2 === 1 }],
        },
      });
      const answered = performance.now();
      for (const [name, n] of Object.entries(requestCounter.since(before)))
        writePath[name] = (writePath[name] ?? 0) + n;
      if (res.status !== 200) throw new Error(`PATCH answered ${res.status}: ${res.text.slice(0, 200)}`);
      const version = i + 2;
      for (;;) {
        const page = await readPage(cursor);
        cursor = page.next;
        events += page.events.length;
        if (page.events.some((e) => e.resourceId === user.id && e.version === version)) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      samples.push(performance.now() - answered);
    }
    const consumerCalls = consumerCounter.since(consumerBefore);
    const stats = latencyStats(samples);
    const report: EventsReport = {
      writes,
      loadAverage1m: { atStart: loadAtStart, atEnd: round(loadavg()[0] ?? NaN, 2) },
      responseToReadableMs: {
        min: round(stats.min, 1),
        mean: round(stats.mean, 1),
        p50: round(stats.p50, 1),
        p95: round(stats.p95, 1),
        p99: round(stats.p99, 1),
        max: round(stats.max, 1),
      },
      requestPathCallsPerWrite: round(total(writePath) / writes, 2),
      requestPathCallsByCommand: writePath,
      consumerCallsPerEvent: round(total(consumerCalls) / Math.max(1, events), 2),
      consumerCallsByCommand: consumerCalls,
    };
    log(
      `events: ${writes} writes, response → readable p50 ${report.responseToReadableMs.p50} ms, p99 ` +
        `${report.responseToReadableMs.p99} ms; request path ${report.requestPathCallsPerWrite} DynamoDB calls/write ` +
        `${JSON.stringify(writePath)}; consumer ${report.consumerCallsPerEvent} calls/event ${JSON.stringify(consumerCalls)}`,
    );
    return report;
  } finally {
    await reader.stop();
  }
}

export function eventsMarkdown(r: EventsReport): string[] {
  const l = r.responseToReadableMs;
  return [
    `## Change events (${r.writes} sequential PATCH writes of one user, events API polled every 2 ms)`,
    '',
    `1-minute load average ${r.loadAverage1m.atStart} at the start, ${r.loadAverage1m.atEnd} at the end.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| SCIM response → event readable, p50 / p95 / p99 / max | ${l.p50} / ${l.p95} / ${l.p99} / ${l.max} ms |`,
    `| DynamoDB calls of the SCIM request path per write (stream on) | ${r.requestPathCallsPerWrite} ${JSON.stringify(r.requestPathCallsByCommand)} |`,
    `| DynamoDB calls of the consumer per event (off the request path) | ${r.consumerCallsPerEvent} ${JSON.stringify(r.consumerCallsByCommand)} |`,
    '',
  ];
}
