/**
 * Local server: drives the background membership worker (docs/decisions/0014-*.md) the way the table's stream and
 * the sweep schedule do in AWS: every SCIMGATE_MEMBERSHIP_INTERVAL_MS (default 500; 0 disables) it runs the work
 * that is due. Same worker code as in AWS; only the driver differs.
 */
import type { Container } from '../compose/container';

export const DEFAULT_MEMBERSHIP_INTERVAL_MS = 500;

export function membershipIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SCIMGATE_MEMBERSHIP_INTERVAL_MS;
  if (raw === undefined || raw === '') return DEFAULT_MEMBERSHIP_INTERVAL_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(
      `SCIMGATE_MEMBERSHIP_INTERVAL_MS must be a whole number of ms (0 disables), got '${raw}'`,
    );
  return n;
}

/** Starts the loop; returns a function that stops it. One run at a time; a failed run is logged and retried. */
export function startMembershipLoop(
  container: Pick<Container, 'membershipWorker' | 'clock'>,
  intervalMs: number,
  log: (line: string) => void = (line) => console.log(line),
): () => void {
  if (intervalMs <= 0) return () => undefined;
  let running = false;
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const report = await container.membershipWorker.runDue(container.clock.now());
      if (report.failures.length > 0)
        log(JSON.stringify({ level: 'WARN', message: 'membership work failed', failures: report.failures }));
    } catch (e) {
      // A run still in flight when the server stops may fail as storage goes away: nothing to report then.
      if (!stopped)
        log(
          JSON.stringify({ level: 'ERROR', message: 'membership sweep failed', error: (e as Error).message }),
        );
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
