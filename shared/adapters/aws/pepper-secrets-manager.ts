/**
 * The pepper in AWS Secrets Manager. The secret's SecretString (AWSCURRENT stage) is a JSON document:
 *
 *   {
 *     "versions": [
 *       { "version": 1, "key": "<standard base64 of ≥ 32 random bytes>", "createdAt": "2025-01-01T00:00:00Z" },
 *       { "version": 2, "key": "<…>" }
 *     ]
 *   }
 *
 * Versions are unique positive integers; the highest is current, the others are tried on lookup while hashes
 * made with them may still be stored. `createdAt` is optional. To rotate: add a version with a higher number,
 * and drop old versions only once nothing stored still uses them. The shape is validated with
 * `pepperDocumentSchema` (zod/mini, shared with the local file adapter).
 *
 * Build one instance per container (module scope): the first `load()` reads the secret and every later call
 * reuses it; concurrent first calls share one GetSecretValue. A failed read is not cached.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PepperConfigError, parsePepperJson, type Pepper, type PepperSource } from '../../credentials/pepper';

export class SecretsManagerPepperSource implements PepperSource {
  private loading: Promise<Pepper> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  load(): Promise<Pepper> {
    this.loading ??= this.fetch().catch((error: unknown) => {
      this.loading = undefined; // a throttled or failed first read is retried by the next caller
      throw error;
    });
    return this.loading;
  }

  private async fetch(): Promise<Pepper> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (typeof output.SecretString !== 'string') {
      throw new PepperConfigError(
        `pepper secret ${this.secretId} has no SecretString (binary secrets are not supported)`,
      );
    }
    return parsePepperJson(output.SecretString, `secret ${this.secretId}`);
  }
}
