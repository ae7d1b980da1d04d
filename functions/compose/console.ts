/**
 * Composition root of the console function: setup links and sessions, the credential services, and Test
 * connection, which makes the requests an IdP makes over HTTP to this deployment's own public origin (so it tests
 * what the IdP will reach, and the console bundle carries no SCIM or OAuth code).
 */
import { DynamoConsoleSessionRepository } from '../../shared/adapters/dynamodb/console-session-repository';
import type { AppConfig } from '../../shared/config';
import type { Probe } from '../../shared/domain/console-integrations';
import {
  ConsoleSessions,
  DEFAULT_CONSOLE_SETTINGS,
  type ConsoleSettings,
} from '../../shared/domain/console-sessions';
import type { ApiFamily } from '../../shared/http/api-family';
import { consoleFamily } from '../../shared/http/console-edge';
import type { Core } from '../runtime/core';
import { credentialParts } from './credentials';

/** Console link and session limits from the configuration (validated by ConsoleSessions at cold start). */
export function consoleSettings(config: AppConfig): ConsoleSettings {
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  return {
    ...DEFAULT_CONSOLE_SETTINGS,
    setupLinkMinutes: num(config.CONSOLE_SETUP_LINK_MINUTES, DEFAULT_CONSOLE_SETTINGS.setupLinkMinutes),
    sessionIdleMinutes: num(config.CONSOLE_SESSION_IDLE_MINUTES, DEFAULT_CONSOLE_SETTINGS.sessionIdleMinutes),
    sessionMaxHours: num(config.CONSOLE_SESSION_MAX_HOURS, DEFAULT_CONSOLE_SETTINGS.sessionMaxHours),
  };
}

export function consoleSessions(core: Core): ConsoleSessions {
  const { repository } = credentialParts(core);
  try {
    return new ConsoleSessions(
      new DynamoConsoleSessionRepository(core.doc, core.config.TABLE_NAME),
      repository,
      core.pepper,
      core.clock,
      consoleSettings(core.config),
    );
  } catch (e) {
    throw new Error(`scimgate configuration is invalid: ${(e as Error).message}`, { cause: e });
  }
}

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
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
  });
}
