/**
 * `npm start` supervises its DynamoDB Local: when the Java process dies (killed, crashed, out of memory), it is
 * started again on the same port and the same data directory, so the running handlers reach it again without a
 * restart of the server. Requests made in the gap fail to connect and answer 503 + Retry-After (the adapter's error
 * translation, shared/adapters/dynamodb/errors.ts); nothing acknowledged is lost, because DynamoDB Local commits
 * each write to its SQLite file before it answers.
 *
 * The policy is bounded: at most `maxRestarts` restarts within `windowMs`, each after a growing delay. When the
 * budget is spent, or a restart itself fails (the port was taken, Java is gone), the supervisor gives up and calls
 * `onGiveUp`: `npm start` then stops and exits non-zero with the reason.
 */
import { startDynamoDbLocal, type DynamoDbLocal, type DynamoDbLocalOptions } from './dynamodb-local';

export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more crash in the window gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the n-th restart in the window: `backoffMs[n - 1]` (the last entry repeats). */
  backoffMs: number[];
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 3,
  windowMs: 5 * 60_000,
  backoffMs: [1_000, 2_000, 4_000],
};

export interface SupervisorOptions extends DynamoDbLocalOptions {
  policy?: RestartPolicy;
  /** One line per event (start, death, restart, give-up). */
  log?: (line: string) => void;
  /** Called once when DynamoDB Local is down for good; the supervisor stops trying. */
  onGiveUp: (reason: Error) => void;
}

export interface SupervisedDynamoDbLocal {
  endpoint: string;
  port: number;
  /** The current Java process (changes on every restart). */
  current(): DynamoDbLocal | undefined;
  /** Restarts so far. */
  restarts(): number;
  stop(): Promise<void>;
}

const logLine = (level: string, message: string, extra: Record<string, unknown>) =>
  JSON.stringify({ level, message, ...extra });

export async function superviseDynamoDbLocal(options: SupervisorOptions): Promise<SupervisedDynamoDbLocal> {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  const log = options.log ?? ((line: string) => console.error(line));
  const first = await startDynamoDbLocal(options);
  const port = first.port;
  const start = { ...options, port };
  let instance: DynamoDbLocal | undefined = first;
  let stopped = false;
  let restarts = 0;
  let recent: number[] = [];

  const giveUp = (reason: string, cause?: unknown): void => {
    if (stopped) return;
    stopped = true;
    instance = undefined;
    const message = `DynamoDB Local on port ${port} could not be kept running: ${reason}`;
    log(logLine('ERROR', 'DynamoDB Local given up', { port, reason }));
    options.onGiveUp(new Error(message, { cause }));
  };

  /** Restarts within the budget; a failed start uses up an attempt like a crash does. */
  const restart = async (why: string, pid: number): Promise<void> => {
    let failure = why;
    for (;;) {
      const now = Date.now();
      recent = recent.filter((t) => now - t < policy.windowMs);
      if (recent.length >= policy.maxRestarts) {
        giveUp(
          policy.maxRestarts === 0
            ? `${failure} (restarts are off)`
            : `${failure}, and ${recent.length} restarts within ${Math.round(policy.windowMs / 1000)} s did not keep it up`,
        );
        return;
      }
      recent.push(now);
      const delay = policy.backoffMs[Math.min(recent.length, policy.backoffMs.length) - 1] ?? 0;
      log(
        logLine('WARN', 'DynamoDB Local is down; restarting it on the same port and data', {
          pid,
          port,
          dbPath: options.dbPath ?? 'in memory (its data is lost)',
          reason: failure,
          restartInMs: delay,
          attempt: recent.length,
          of: policy.maxRestarts,
        }),
      );
      await new Promise((r) => setTimeout(r, delay));
      if (stopped) return;
      try {
        const next = await startDynamoDbLocal(start);
        if (stopped) {
          await next.stop();
          return;
        }
        instance = next;
        restarts++;
        log(logLine('INFO', 'DynamoDB Local restarted', { pid: next.pid, port, restarts }));
        watch(next);
        return;
      } catch (e) {
        failure = `the restart failed: ${(e as Error).message.split('\n')[0]}`;
      }
    }
  };

  const watch = (ddb: DynamoDbLocal): void => {
    void ddb.exited.then(({ code, signal }) => {
      if (stopped || instance !== ddb) return;
      instance = undefined;
      return restart(`it died (${signal ? `signal ${signal}` : `exit code ${code}`})`, ddb.pid);
    });
  };
  watch(first);

  return {
    endpoint: first.endpoint,
    port,
    current: () => instance,
    restarts: () => restarts,
    async stop() {
      stopped = true;
      const ddb = instance;
      instance = undefined;
      await ddb?.stop();
    },
  };
}
