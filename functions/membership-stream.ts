/**
 * Lambda entry point: the table's stream → the background membership worker (docs/decisions/0013-*.md). The event
 * source mapping delivers only inserted pending records that ask for work (a filter in infra/membership.ts); each
 * is run with the same worker code as the local loop. A record whose work fails is reported as a batch item
 * failure, so Lambda retries from it (bisecting), and after the last retry sends it to the dead-letter queue; the
 * pending record stays in the table, so the sweep (functions/membership-sweep.ts) finishes it later anyway.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { taskFromImage } from '../shared/adapters/dynamodb/membership-worker';
import type { Container } from '../shared/composition';
import { getContainer } from './lambda';

/** A delete's first pass is due a moment after the delete (index propagation): wait at most this long for it. */
const MAX_WAIT_MS = 5_000;

export function membershipStreamHandler(
  resolve: () => Pick<Container, 'membershipWorker' | 'clock'> = getContainer,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const c = resolve();
    const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
    let ran = 0;
    for (const record of event.Records ?? []) {
      const image = record.dynamodb?.NewImage
        ? unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0])
        : undefined;
      const task = taskFromImage(record.eventName, image);
      if (!task) continue;
      const due = Date.parse(String(image?.dueAt ?? '')) - c.clock.now().getTime();
      if (due > 0) await sleep(Math.min(due, MAX_WAIT_MS));
      try {
        await c.membershipWorker.run(task, c.clock.now());
        ran++;
      } catch (e) {
        console.error(
          JSON.stringify({
            level: 'ERROR',
            message: 'membership work failed',
            task: task.taskType,
            error: (e as Error).message,
          }),
        );
        // Lambda retries from the first failed record on (the records after it are redelivered too: idempotent).
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
        break;
      }
    }
    console.log(
      JSON.stringify({ level: 'INFO', message: 'membership stream batch', ran, failed: failures.length }),
    );
    return { batchItemFailures: failures };
  };
}

export const handler = membershipStreamHandler();
