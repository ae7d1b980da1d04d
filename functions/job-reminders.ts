/**
 * Lambda entry point: the reminder job, on a schedule (EventBridge Scheduler / rule), not HTTP. Sends due expiry
 * reminders and mails at expiry, marks expired credentials. See docs/jobs.md.
 */
import { buildJobs } from './compose/jobs';
import { runScheduledJob } from './compose/job-run';
import { lambdaEventFunction } from './runtime/event-function';

export const handler = await lambdaEventFunction(
  'job reminders',
  (core) => ({ jobs: buildJobs(core), clock: core.clock }),
  runScheduledJob('reminders'),
);
