/** Console setup links and sessions over the core (the console function; setup links of the management API). */
import { DynamoConsoleSessionRepository } from '../../shared/adapters/dynamodb/console-session-repository';
import type { AppConfig } from '../../shared/config';
import {
  ConsoleSessions,
  DEFAULT_CONSOLE_SETTINGS,
  type ConsoleSettings,
} from '../../shared/domain/console-sessions';
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
