/**
 * Security response headers of the admin console's static assets: one definition for the local server and the
 * CloudFront response headers policy (infra/console-stack.ts), so the two cannot disagree. The SPA has no inline
 * script or style (Vite emits files), so the Content-Security-Policy needs no 'unsafe-inline' and no nonce.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), clipboard-write=(self)',
  'cross-origin-opener-policy': 'same-origin',
};

/** The path the SPA is served at (local server and CloudFront). */
export const CONSOLE_PATH = '/console';
