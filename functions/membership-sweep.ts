/**
 * Lambda entry point: the membership sweep, on a schedule (every minute). Runs every pending record that is due
 * (byDue index, `TASK#` shards): second passes over deleted resources' memberships, staged changes whose lease ran out, and any
 * work the stream driver gave up on. Same worker code as the stream and the local loop (docs/decisions/0013-*.md).
 */
import type { SweepReport } from '../shared/adapters/dynamodb/membership-worker';
import type { Container } from '../shared/composition';
import { getContainer } from './lambda';

export function membershipSweepHandler(
  resolve: () => Pick<Container, 'membershipWorker' | 'clock'> = getContainer,
): (event: { time?: string }) => Promise<SweepReport> {
  return async () => {
    const c = resolve();
    const report = await c.membershipWorker.runDue(c.clock.now());
    console.log(
      JSON.stringify({
        level: report.failures.length ? 'WARN' : 'INFO',
        message: 'membership sweep ran',
        ran: report.ran,
        failures: report.failures,
      }),
    );
    if (report.failures.length > 0 && report.ran === 0)
      throw new Error(`membership sweep: ${report.failures.length} failures and nothing done; retried`);
    return report;
  };
}

export const handler = membershipSweepHandler();
