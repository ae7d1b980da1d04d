/**
 * One scheduled job run per invocation at the scheduler's time, the report logged as one line. A run that could
 * not do anything of what was due throws, so that the scheduler's retry policy runs it again (reruns never send
 * twice: docs/jobs.md).
 */
import type { JobName, JobReport, Jobs } from '../../shared/domain/jobs';
import type { Clock } from '../../shared/domain/ports';
import type { EdgeLogger } from '../../shared/http/api-family';

/** EventBridge scheduled event (only `time` is read); a bare `{}` runs at the current time. */
export interface ScheduledEvent {
  time?: string;
}

export interface JobServices {
  jobs: Pick<Jobs, 'runJob'>;
  clock: Clock;
}

export function runScheduledJob(job: JobName) {
  return async (services: JobServices, event: ScheduledEvent, logger: EdgeLogger): Promise<JobReport> => {
    const at = event?.time ? new Date(event.time) : services.clock.now();
    const report = await services.jobs.runJob(job, Number.isNaN(at.getTime()) ? services.clock.now() : at);
    const line = {
      due: report.due,
      sent: report.sent.length,
      changes: report.changes.length,
      failures: report.failures,
      possiblySent: report.possiblySent,
      more: report.more,
    };
    if (report.failures.length || report.possiblySent.length) logger.warn(`job ${job} ran`, line);
    else logger.info?.(`job ${job} ran`, line);
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
