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
 * reuses it; concurrent first calls share one read (shared/adapters/aws/secrets-manager.ts). A failed read is not cached.
 */
import { PepperConfigError, parsePepperJson, type Pepper, type PepperSource } from '../../credentials/pepper';
import type { SecretStringReader } from './secrets-manager';

export class SecretsManagerPepperSource implements PepperSource {
  private loading: Promise<Pepper> | undefined;

  constructor(
    private readonly read: SecretStringReader,
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
    const secretString = await this.read(this.secretId);
    if (secretString === undefined) {
      throw new PepperConfigError(
        `pepper secret ${this.secretId} has no SecretString (binary secrets are not supported)`,
      );
    }
    return parsePepperJson(secretString, `secret ${this.secretId}`);
  }
}
