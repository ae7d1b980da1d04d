/**
 * Lambda entry point: the idle job, on a schedule (EventBridge Scheduler / rule), not HTTP. Sends idle warnings and
 * deactivates idle credentials. See docs/jobs.md.
 */
import { jobHandler } from './lambda-jobs';

export const handler = jobHandler('idle');
