/**
 * The local server's static file handler for the admin console SPA (built by Vite into dist/console): what S3 +
 * CloudFront serve in AWS, with the same security headers (shared/http/console-headers.ts). Every path under
 * /console/ that is not a file is the SPA's index.html (its routes live in the URL fragment).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CONSOLE_PATH, CONSOLE_SECURITY_HEADERS } from '../../shared/http/console-headers';
import { CONSOLE_API_PREFIX } from '../../shared/http/routes';

/** Where `npm run build:console` writes the SPA. */
export const CONSOLE_DIST = resolve(fileURLToPath(new URL('../../dist/console', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** True when the path belongs to the SPA (not to its API). */
export function isConsoleAsset(path: string): boolean {
  return (
    (path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`)) &&
    !path.startsWith(`${CONSOLE_API_PREFIX}/`)
  );
}

export function serveConsoleAsset(
  path: string,
  method: string,
  res: ServerResponse,
  dir = CONSOLE_DIST,
): void {
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('method not allowed');
    return;
  }
  if (path === CONSOLE_PATH) {
    res.writeHead(301, { location: `${CONSOLE_PATH}/` });
    res.end();
    return;
  }
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      'the admin console is not built: run `npm run build:console` (npm start and npm test do it first)\n',
    );
    return;
  }
  let file = index;
  try {
    const relative = normalize(decodeURIComponent(path.slice(CONSOLE_PATH.length + 1)));
    const candidate = join(dir, relative);
    if (relative && candidate.startsWith(dir + sep) && existsSync(candidate) && statSync(candidate).isFile())
      file = candidate;
  } catch {
    file = index;
  }
  const hashed = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...CONSOLE_SECURITY_HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Hashed asset names never change content; the page itself is always revalidated.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : readFileSync(file));
}
