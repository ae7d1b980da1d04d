/**
 * Local server: drives the background membership worker (docs/decisions/0014-*.md) the way the table's stream and
 * the sweep schedule do in AWS: every SCIMGATE_MEMBERSHIP_INTERVAL_MS (default 500; 0 disables) it runs the work
 * that is due. Same worker code as in AWS; only the driver differs.
 */
import type { Container } from '../compose/container';
import { intervalFromEnv, startIntervalLoop } from './interval-loop';

export const DEFAULT_MEMBERSHIP_INTERVAL_MS = 500;

export const membershipIntervalMs = (env: NodeJS.ProcessEnv = process.env): number =>
  intervalFromEnv('SCIMGATE_MEMBERSHIP_INTERVAL_MS', 'ms', DEFAULT_MEMBERSHIP_INTERVAL_MS, env);

/** Starts the loop; returns a function that stops it. One run at a time; a failed run is logged and retried. */
export function startMembershipLoop(
  container: Pick<Container, 'membershipWorker' | 'clock'>,
  intervalMs: number,
  log: (line: string) => void = (line) => console.log(line),
): () => void {
  return startIntervalLoop(intervalMs, {
    failure: 'membership sweep failed',
    log,
    run: async () => {
      const report = await container.membershipWorker.runDue(container.clock.now());
      if (report.failures.length > 0)
        log(JSON.stringify({ level: 'WARN', message: 'membership work failed', failures: report.failures }));
    },
  });
}
