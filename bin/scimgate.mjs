#!/usr/bin/env node
// `npx scimgate …`: runs bin/cli.ts with the project's own tsx and passes its exit code (or signal) through.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

let tsx;
try {
  // Resolved from this file, not from the caller's working directory.
  tsx = import.meta.resolve('tsx');
} catch {
  console.error(`scimgate: tsx is not installed; run "npm install" in ${join(here, '..')}`);
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', tsx, join(here, 'cli.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});

// Ctrl-C reaches the child through the terminal; wait for it to exit instead of dying first.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));

child.on('error', (e) => {
  console.error(`scimgate: cannot start ${process.execPath}: ${e.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
