/**
 * Composition root of the console function: setup links and sessions, the credential services, and Test
 * connection, which makes the requests an IdP makes over HTTP to this deployment's own public origin (so it tests
 * what the IdP will reach, and the console bundle carries no SCIM or OAuth code).
 */
import type { Probe } from '../../shared/domain/console-integrations';
import type { ApiFamily } from '../../shared/http/api-family';
import { consoleFamily } from '../../shared/http/console-edge';
import type { Core } from '../runtime/core';
import { consoleSessions } from './console-sessions';
import { credentialParts } from './credentials';
import { eventStore } from './event-log';

/** One request to this deployment's public API, as the IdP would send it (10 s at most). */
export const httpProbe: Probe = async (req) => {
  const query = new URLSearchParams(req.query).toString();
  const res = await fetch(`${req.origin}${req.path}${query ? `?${query}` : ''}`, {
    method: req.method,
    headers: { ...req.headers, 'user-agent': req.userAgent },
    ...(req.body !== undefined ? { body: req.body } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: await res.text() };
};

export function consoleApi(core: Core, probe: Probe = httpProbe): ApiFamily {
  const { credentials } = credentialParts(core);
  const { config } = core;
  return consoleFamily({
    sessions: consoleSessions(core),
    credentials,
    logger: core.logger,
    probe,
    events: { store: eventStore(core) },
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
  });
}
