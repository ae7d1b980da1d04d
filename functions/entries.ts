/** Which file is the Lambda entry of each function in the route table (read by CDK and the local server). */
import type { JobName } from '../shared/domain/jobs';
import type { FunctionId } from '../shared/http/routes';

export const FUNCTION_ENTRIES: Record<FunctionId, string> = {
  scimUsers: 'scim-users.ts',
  scimGroups: 'scim-groups.ts',
  scimRoot: 'scim-root.ts',
  oauthToken: 'oauth-token.ts',
  management: 'management.ts',
  console: 'console.ts',
};

/**
 * Scheduled jobs (not in the route table: no HTTP route). CDK creates one function per entry with an EventBridge
 * schedule; each needs the credential table (read/write, incl. the byDue index) and ses:SendEmail. See docs/jobs.md.
 */
export const JOB_ENTRIES = {
  reminders: { entry: 'job-reminders.ts', schedule: 'rate(15 minutes)' },
  idle: { entry: 'job-idle.ts', schedule: 'rate(1 hour)' },
} as const satisfies Record<JobName, { entry: string; schedule: string }>;

/**
 * Event consumers that are neither routes nor schedules: SES bounces and complaints (SNS); the table's stream
 * driving the background membership worker (docs/decisions/0014-*.md) and, in a function of its own, becoming the
 * change events (docs/events.md).
 */
export const EVENT_ENTRIES = {
  sesFeedback: 'ses-feedback.ts',
  membershipStream: 'membership-stream.ts',
  eventStream: 'event-stream.ts',
} as const;

/** The membership sweep: due background membership work, on a schedule (docs/decisions/0014-*.md). */
export const MEMBERSHIP_SWEEP = { entry: 'membership-sweep.ts', schedule: 'rate(1 minute)' } as const;

/** Imports a function's handler module the way Lambda does (relative to functions/). */
export async function importHandler(fn: FunctionId): Promise<unknown> {
  switch (fn) {
    case 'scimUsers':
      return (await import('./scim-users')).handler;
    case 'scimGroups':
      return (await import('./scim-groups')).handler;
    case 'scimRoot':
      return (await import('./scim-root')).handler;
    case 'oauthToken':
      return (await import('./oauth-token')).handler;
    case 'management':
      return (await import('./management')).handler;
    case 'console':
      return (await import('./console')).handler;
  }
}
