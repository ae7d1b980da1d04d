/**
 * Local server: runs the reminder and idle jobs every SCIMGATE_JOB_INTERVAL_SECONDS (default 60; 0 disables), the
 * way the schedules do in AWS. Mails land in the outbox as .eml files (OUTBOX_DIR, default .scimgate/outbox).
 */
import type { Container } from '../compose/container';
import { JOB_NAMES } from '../../shared/domain/jobs';

export const DEFAULT_JOB_INTERVAL_SECONDS = 60;

export function jobIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SCIMGATE_JOB_INTERVAL_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_JOB_INTERVAL_SECONDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(
      `SCIMGATE_JOB_INTERVAL_SECONDS must be a whole number of seconds (0 disables), got '${raw}'`,
    );
  return n;
}

/** Starts the loop; returns a function that stops it. One run at a time; a failed run is logged, not fatal. */
export function startJobLoop(
  container: Pick<Container, 'jobs' | 'clock'>,
  seconds: number,
  log: (line: string) => void = (line) => console.log(line),
): () => void {
  if (seconds <= 0) return () => undefined;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (const job of JOB_NAMES) {
        const report = await container.jobs.runJob(job, container.clock.now());
        if (
          report.sent.length ||
          report.changes.length ||
          report.failures.length ||
          report.possiblySent.length
        ) {
          log(
            JSON.stringify({
              level: report.failures.length ? 'WARN' : 'INFO',
              message: `job ${job}`,
              sent: report.sent.map((s) => ({ to: s.to, items: s.items.length })),
              changes: report.changes,
              failures: report.failures,
              possiblySent: report.possiblySent,
            }),
          );
        }
      }
    } catch (e) {
      log(JSON.stringify({ level: 'ERROR', message: 'job run failed', error: (e as Error).message }));
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
