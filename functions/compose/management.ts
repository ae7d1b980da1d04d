/**
 * Composition root of the management function: the credential services over the core, and, in the local server only
 * (LOCAL_JOBS_ROUTE=on, which only `npm start` sets), the jobs behind the simulated-clock job route (docs/jobs.md).
 */
import type { ApiFamily } from '../../shared/http/api-family';
import { managementFamily, type AdminAuth } from '../../shared/http/management-edge';
import type { Core } from '../runtime/core';
import { consoleSessions } from './console-sessions';
import { credentialParts } from './credentials';
import { eventReader } from './event-keys';
import { buildJobs } from './jobs';

export function management(core: Core): ApiFamily {
  const { credentials } = credentialParts(core);
  const { config } = core;
  const adminAuth: AdminAuth = config.ADMIN_KEY ? { mode: 'key', key: config.ADMIN_KEY } : { mode: 'iam' };
  return managementFamily({
    credentials,
    logger: core.logger,
    adminAuth,
    ...(config.LOCAL_JOBS_ROUTE === 'on' ? { jobs: buildJobs(core) } : {}),
    events: eventReader(core),
    console: {
      sessions: consoleSessions(core),
      ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
    },
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  });
}
