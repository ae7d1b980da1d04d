import { jest } from '@jest/globals';
import { runScheduledJob } from '../../functions/compose/job-run';
import type { Core } from '../../functions/runtime/core';
import { eventFunction } from '../../functions/runtime/event-function';
import { jobIntervalSeconds, startJobLoop } from '../../functions/local/job-loop';
import {
  DEFAULT_MEMBERSHIP_INTERVAL_MS,
  membershipIntervalMs,
  startMembershipLoop,
} from '../../functions/local/membership-loop';
import type { JobName, JobReport } from '../../shared/domain/jobs';

const report = (job: JobName, over: Partial<JobReport> = {}): JobReport =>
  ({
    job,
    now: new Date(0).toISOString(),
    due: 0,
    sent: [],
    changes: [],
    failures: [],
    possiblySent: [],
    suppressed: [],
    more: false,
    ...over,
  }) as JobReport;

const silent = { error: () => undefined, warn: () => undefined };

/** The job function's middy handler over stubbed services. */
const jobHandler = (job: JobName, services: () => unknown) =>
  eventFunction(`job ${job}`, () => services() as never, runScheduledJob(job), {
    core: () => ({ logger: silent }) as unknown as Core,
  });

describe('the scheduled job Lambda handler', () => {
  it('should run the job at the scheduled time and return its report', async () => {
    const calls: [JobName, string][] = [];
    const container = {
      clock: { now: () => new Date('2030-01-01T00:00:00Z') },
      jobs: {
        runJob: async (job: JobName, now: Date) => {
          calls.push([job, now.toISOString()]);
          return report(job, { due: 1, sent: [{ to: 'a@example.com', items: [] }] });
        },
      },
    };
    const handler = jobHandler('reminders', () => container as never);
    const out = await handler({ time: '2026-11-24T10:00:00Z' });
    expect(calls).toEqual([['reminders', '2026-11-24T10:00:00.000Z']]);
    expect(out.sent).toHaveLength(1);
    await handler({});
    expect(calls[1]).toEqual(['reminders', '2030-01-01T00:00:00.000Z']);
  });

  it('should throw so that the scheduler retries when a run with due work did nothing but fail', async () => {
    const container = {
      clock: { now: () => new Date() },
      jobs: { runJob: async (job: JobName) => report(job, { due: 2, failures: [{ error: 'SES down' }] }) },
    };
    await expect(jobHandler('idle', () => container as never)({})).rejects.toThrow(/scheduler retries/);
  });
});

describe('the local job loop', () => {
  it('should read the interval, 0 disabling it, and refuse nonsense', () => {
    expect(jobIntervalSeconds({})).toBe(60);
    expect(jobIntervalSeconds({ SCIMGATE_JOB_INTERVAL_SECONDS: '0' })).toBe(0);
    expect(jobIntervalSeconds({ SCIMGATE_JOB_INTERVAL_SECONDS: '5' })).toBe(5);
    expect(() => jobIntervalSeconds({ SCIMGATE_JOB_INTERVAL_SECONDS: 'soon' })).toThrow(/whole number/);
  });

  it('should run every job on each tick, log what happened, and keep going after a failure', async () => {
    jest.useFakeTimers();
    try {
      const runs: JobName[] = [];
      let fail = true;
      const container = {
        clock: { now: () => new Date() },
        jobs: {
          runJob: async (job: JobName) => {
            runs.push(job);
            if (fail) {
              fail = false;
              throw new Error('throttled');
            }
            return report(job, { changes: [{ tenantId: 't', credentialId: 'c', change: 'deactivated' }] });
          },
        },
      };
      const lines: string[] = [];
      const stop = startJobLoop(container as never, 5, (l) => lines.push(l));
      await jest.advanceTimersByTimeAsync(5_000);
      await jest.advanceTimersByTimeAsync(5_000);
      stop();
      await jest.advanceTimersByTimeAsync(20_000);
      expect(runs).toEqual(['reminders', 'reminders', 'idle']);
      expect(lines[0]).toContain('job run failed');
      expect(lines.slice(1).join('\n')).toContain('deactivated');
      expect(startJobLoop(container as never, 0)).toEqual(expect.any(Function));
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the local membership loop', () => {
  it('should read its interval in ms from the environment', () => {
    expect(membershipIntervalMs({})).toBe(DEFAULT_MEMBERSHIP_INTERVAL_MS);
    expect(membershipIntervalMs({ SCIMGATE_MEMBERSHIP_INTERVAL_MS: '0' })).toBe(0);
    expect(() => membershipIntervalMs({ SCIMGATE_MEMBERSHIP_INTERVAL_MS: '1.5' })).toThrow(
      /SCIMGATE_MEMBERSHIP_INTERVAL_MS must be a whole number of ms/,
    );
  });

  it('should run one sweep at a time, log failures, and stay quiet about a run that fails after stop', async () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      let release: (() => void) | undefined;
      let calls = 0;
      const container = {
        clock: { now: () => new Date() },
        membershipWorker: {
          runDue: async () => {
            calls += 1;
            if (calls === 1) return { failures: [{ id: 'g1', error: 'busy' }] };
            await new Promise<void>((r) => (release = r)); // the second run hangs until released
            throw new Error('storage went away');
          },
        },
      };
      const stop = startMembershipLoop(container as never, 100, (l) => lines.push(l));
      await jest.advanceTimersByTimeAsync(100); // run 1: a failure report
      await jest.advanceTimersByTimeAsync(100); // run 2 starts and hangs
      await jest.advanceTimersByTimeAsync(500); // no overlapping run meanwhile
      expect(calls).toBe(2);
      stop();
      release?.();
      await jest.advanceTimersByTimeAsync(100);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('membership work failed');
    } finally {
      jest.useRealTimers();
    }
  });
});
