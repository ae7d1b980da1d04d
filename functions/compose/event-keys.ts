/**
 * Composition root of the events API's side of change events (docs/events.md): the tenants' logs and the keys the
 * Security Event Tokens verify with (management function), and the SET signer the stream consumer uses. The
 * Secrets Manager client is imported on first use.
 */
import { FileSetKeySource } from '../../shared/adapters/local/set-key-file';
import type { AppConfig } from '../../shared/config';
import type { EventStore } from '../../shared/domain/events/model';
import { JoseSetSigner, type SetKeyDocument, type SetKeySource } from '../../shared/domain/events/set';
import type { Core } from '../runtime/core';
import { eventStore } from './event-log';

/** What the events API reads: the tenants' logs and the keys their SETs verify with. */
export interface EventReader {
  store: EventStore;
  jwks(): Promise<{ keys: unknown[] }>;
}

/** The seed document from Secrets Manager (AWS) or a local file; none when neither is configured. */
function setKeySource(config: AppConfig): SetKeySource | undefined {
  const secretId = config.SET_KEY_SECRET_ID;
  if (secretId) {
    let source: Promise<SetKeySource> | undefined;
    const load = async (): Promise<SetKeySource> => {
      const [{ SecretsManagerClient }, { SecretsManagerSetKeySource }] = await Promise.all([
        import('@aws-sdk/client-secrets-manager'),
        import('../../shared/adapters/aws/set-key-secrets-manager'),
      ]);
      return new SecretsManagerSetKeySource(
        new SecretsManagerClient({ region: config.AWS_REGION }),
        secretId,
      );
    };
    return { load: async (): Promise<SetKeyDocument> => (await (source ??= load())).load() };
  }
  return config.SET_KEY_FILE ? new FileSetKeySource(config.SET_KEY_FILE) : undefined;
}

export function signerOf(config: AppConfig): JoseSetSigner | undefined {
  const source = setKeySource(config);
  return source
    ? new JoseSetSigner(source, config.EVENTS_ISSUER ?? config.PUBLIC_BASE_URL ?? 'scimgate')
    : undefined;
}

/** The events API's side (management and console functions). */
export function eventReader(core: Core): EventReader {
  const signer = signerOf(core.config);
  return { store: eventStore(core), jwks: async () => (signer ? signer.jwks() : { keys: [] }) };
}
