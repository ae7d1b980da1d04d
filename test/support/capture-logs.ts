/**
 * Runs in every test file (jest `setupFiles`): copies everything written to the console (all scimgate logging goes
 * through it: the edge logger, the local server, the Lambda plumbing) into
 * this run's log folder, so that the global teardown can search the logs of the whole run for secrets.
 */
import { format } from 'node:util';
import { appendToRunLog } from './run-log';

if (process.env.SCIMGATE_TEST_LOG_DIR) {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      appendToRunLog(format(...args));
      original(...args);
    };
  }
}
