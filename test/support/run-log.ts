import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/** Appends a line to this test process's file in the run's log folder (searched for secrets at the end). */
export function appendToRunLog(text: string): void {
  const dir = process.env.SCIMGATE_TEST_LOG_DIR;
  if (!dir) return;
  try {
    appendFileSync(join(dir, `${process.pid}.log`), text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // the folder is gone at the very end of the run: nothing left to capture
  }
}
