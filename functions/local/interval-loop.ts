/**
 * Local server: the one driver of the background work that AWS runs on schedules and streams (jobs, the
 * membership worker). A whole-number interval from the environment (0 disables), one run at a time, a failed run
 * logged and tried again on the next tick, nothing reported once stopped (a run in flight may fail as storage goes
 * away with the server).
 */

/** A whole number of `unit` from `env[name]`, `fallback` when unset; 0 disables the loop. */
export function intervalFromEnv(
  name: string,
  unit: 'seconds' | 'ms',
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number of ${unit} (0 disables), got '${raw}'`);
  return n;
}

export interface IntervalLoop {
  /** What failed, in the log line of a failed run. */
  failure: string;
  /** One run; throw to have it logged (and tried again on the next tick). */
  run: () => Promise<void>;
  log: (line: string) => void;
}

/** Runs `loop.run` every `intervalMs` (never two at once); returns a function that stops it. */
export function startIntervalLoop(intervalMs: number, loop: IntervalLoop): () => void {
  if (intervalMs <= 0) return () => undefined;
  let running = false;
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      await loop.run();
    } catch (e) {
      if (!stopped)
        loop.log(JSON.stringify({ level: 'ERROR', message: loop.failure, error: (e as Error).message }));
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
