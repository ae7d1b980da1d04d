/**
 * Lambda entry point: the reminder job, on a schedule (EventBridge Scheduler / rule), not HTTP. Sends due expiry
 * reminders and mails at expiry, marks expired credentials. See docs/jobs.md.
 */
import { jobHandler } from './lambda-jobs';

export const handler = jobHandler('reminders');
