/**
 * Composition root of the events API's side of change events (docs/events.md): the tenants' logs and the keys the
 * Security Event Tokens verify with (management function), and the SET signer the stream consumer uses.
 */
import { FileSetKeySource } from '../../shared/adapters/local/set-key-file';
import { SecretsManagerSetKeySource } from '../../shared/adapters/aws/set-key-secrets-manager';
import { secretsManagerReader } from '../../shared/adapters/aws/secrets-manager';
import type { EventStore } from '../../shared/domain/events/model';
import { JoseSetSigner, type SetKeyDocument, type SetKeySource } from '../../shared/domain/events/set';
import type { Core } from '../runtime/core';
import { eventStore } from './event-log';

/** What the events API reads: the tenants' logs and the keys their SETs verify with. */
export interface EventReader {
  store: EventStore;
  jwks(): Promise<{ keys: unknown[] }>;
}

/**
 * The seed document from Secrets Manager (AWS; one signed request with the DynamoDB client's credentials, on first
 * use) or a local file; none when neither is configured.
 */
function setKeySource(core: Core): SetKeySource | undefined {
  const { config } = core;
  const secretId = config.SET_KEY_SECRET_ID;
  if (secretId) {
    let source: SetKeySource | undefined;
    return {
      load: async (): Promise<SetKeyDocument> => {
        if (!config.AWS_REGION)
          throw new Error('AWS_REGION is not set: the SET signing seed is in Secrets Manager');
        source ??= new SecretsManagerSetKeySource(
          secretsManagerReader({
            region: config.AWS_REGION,
            credentials: core.doc.credentials,
          }),
          secretId,
        );
        return source.load();
      },
    };
  }
  return config.SET_KEY_FILE ? new FileSetKeySource(config.SET_KEY_FILE) : undefined;
}

export function signerOf(core: Core): JoseSetSigner | undefined {
  const source = setKeySource(core);
  const { config } = core;
  return source
    ? new JoseSetSigner(source, config.EVENTS_ISSUER ?? config.PUBLIC_BASE_URL ?? 'scimgate')
    : undefined;
}

/** The events API's side (management and console functions). */
export function eventReader(core: Core): EventReader {
  const signer = signerOf(core);
  return { store: eventStore(core), jwks: async () => (signer ? signer.jwks() : { keys: [] }) };
}
