/**
 * Lambda entry point: the idle job, on a schedule (EventBridge Scheduler / rule), not HTTP. Sends idle warnings and
 * deactivates idle credentials. See docs/jobs.md.
 */
import { buildJobs } from './compose/jobs';
import { runScheduledJob } from './compose/job-run';
import { lambdaEventFunction } from './runtime/event-function';

export const handler = await lambdaEventFunction(
  'job idle',
  (core) => ({ jobs: buildJobs(core), clock: core.clock }),
  runScheduledJob('idle'),
);
