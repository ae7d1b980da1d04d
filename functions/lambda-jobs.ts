/**
 * Scheduled-job plumbing: the same container as the HTTP functions (built once per Lambda container), one job run
 * per invocation at the scheduler's time, the report logged as one JSON line. A run that could not finish throws so
 * that the scheduler's retry policy runs it again (reruns never send twice: docs/jobs.md).
 */
import type { JobName, JobReport } from '../shared/domain/jobs';
import { getContainer } from './lambda';
import type { Container } from '../shared/composition';

/** EventBridge scheduled event (only `time` is read); a bare `{}` runs at the current time. */
export interface ScheduledEvent {
  time?: string;
}

export function jobHandler(
  job: JobName,
  resolve: () => Container = getContainer,
): (event: ScheduledEvent) => Promise<JobReport> {
  return async (event) => {
    const c = resolve();
    const at = event?.time ? new Date(event.time) : c.clock.now();
    const report = await c.jobs.runJob(job, Number.isNaN(at.getTime()) ? c.clock.now() : at);
    console.log(
      JSON.stringify({
        level: report.failures.length || report.possiblySent.length ? 'WARN' : 'INFO',
        message: `job ${job} ran`,
        due: report.due,
        sent: report.sent.length,
        changes: report.changes.length,
        failures: report.failures,
        possiblySent: report.possiblySent,
        more: report.more,
      }),
    );
    if (
      report.failures.length > 0 &&
      report.sent.length === 0 &&
      report.changes.length === 0 &&
      report.due > 0
    ) {
      throw new Error(`job ${job}: nothing done, ${report.failures.length} failures; the scheduler retries`);
    }
    return report;
  };
}
