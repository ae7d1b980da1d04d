/** Composition root of the reminder and idle jobs (scheduled functions, the local loop, the management route). */
import { CredentialService } from '../../shared/domain/credential-service';
import { Jobs, type Mailer } from '../../shared/domain/jobs';
import type { Core } from '../runtime/core';
import { credentialParts, tenantDefaults } from './credentials';

/** SES when a sender is configured; .eml files locally; otherwise a mailer that says what is missing. */
async function buildMailer(core: Core): Promise<Mailer> {
  const { config, clock } = core;
  if (config.SES_FROM) {
    const { SesMailer, sesSendEmail } = await import('../../shared/adapters/aws/ses-mailer');
    return new SesMailer(
      // The credentials the document client signs with (Lambda's), so no second chain is resolved.
      sesSendEmail({ region: config.AWS_REGION ?? 'us-east-1', credentials: core.doc.credentials }),
      config.SES_FROM,
      config.SES_CONFIGURATION_SET,
    );
  }
  if (config.OUTBOX_DIR || config.DYNAMODB_ENDPOINT) {
    const { OutboxMailer } = await import('../../shared/adapters/local/outbox-mailer');
    return new OutboxMailer(config.OUTBOX_DIR ?? '.scimgate/outbox', undefined, clock);
  }
  return { send: () => Promise.reject(new Error('no mailer: set SES_FROM (AWS) or OUTBOX_DIR (local)')) };
}

/** The mailer is built on its first mail, so a run with nothing due loads no mail client. */
function lazyMailer(core: Core): Mailer {
  let mailer: Promise<Mailer> | undefined;
  return { send: async (mail) => (await (mailer ??= buildMailer(core))).send(mail) };
}

export function buildJobs(core: Core, overrides: { mailer?: Mailer } = {}): Jobs {
  const { repository, accessTokens } = credentialParts(core);
  const { config } = core;
  return new Jobs({
    repo: repository,
    mailer: overrides.mailer ?? lazyMailer(core),
    // A job may run at a simulated instant: deactivation is decided and recorded at that instant.
    deactivateIdle: async (tenantId, id, now) =>
      (await new CredentialService(
        repository,
        core.pepper,
        { now: () => now },
        accessTokens,
        tenantDefaults(config),
      ).deactivateIdle(tenantId, id)) !== undefined,
    ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  });
}
