/**
 * Runs in every test file (jest `setupFiles`): copies everything written to the console (all scimgate logging goes
 * through it: the edge logger, the local server, the Lambda plumbing) into
 * this run's log folder, so that the global teardown can search the logs of the whole run for secrets.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

const dir = process.env.SCIMGATE_TEST_LOG_DIR;
if (dir) {
  const file = join(dir, `${process.pid}.log`);
  const append = (text: string) => {
    try {
      appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
    } catch {
      // the folder is gone at the very end of the run: nothing left to capture
    }
  };
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      append(format(...args));
      original(...args);
    };
  }
}
