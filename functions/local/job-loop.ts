/**
 * Local server: runs the reminder and idle jobs every SCIMGATE_JOB_INTERVAL_SECONDS (default 60; 0 disables), the
 * way the schedules do in AWS. Mails land in the outbox as .eml files (OUTBOX_DIR, default .scimgate/outbox).
 */
import type { Container } from '../compose/container';
import { JOB_NAMES } from '../../shared/domain/jobs';
import { intervalFromEnv, startIntervalLoop } from './interval-loop';

export const DEFAULT_JOB_INTERVAL_SECONDS = 60;

export const jobIntervalSeconds = (env: NodeJS.ProcessEnv = process.env): number =>
  intervalFromEnv('SCIMGATE_JOB_INTERVAL_SECONDS', 'seconds', DEFAULT_JOB_INTERVAL_SECONDS, env);

/** Starts the loop; returns a function that stops it. One run at a time; a failed run is logged, not fatal. */
export function startJobLoop(
  container: Pick<Container, 'jobs' | 'clock'>,
  seconds: number,
  log: (line: string) => void = (line) => console.log(line),
): () => void {
  return startIntervalLoop(seconds * 1000, {
    failure: 'job run failed',
    log,
    run: async () => {
      for (const job of JOB_NAMES) {
        const report = await container.jobs.runJob(job, container.clock.now());
        const { sent, changes, failures, possiblySent } = report;
        if (sent.length || changes.length || failures.length || possiblySent.length)
          log(
            JSON.stringify({
              level: failures.length ? 'WARN' : 'INFO',
              message: `job ${job}`,
              sent: sent.map((s) => ({ to: s.to, items: s.items.length })),
              changes,
              failures,
              possiblySent,
            }),
          );
      }
    },
  });
}
