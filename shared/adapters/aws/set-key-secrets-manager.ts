/**
 * The SET signing seed in AWS Secrets Manager: SecretString `{ "seed": "…", "previousSeeds": ["…"] }` (the CDK
 * data stack generates `seed`; see docs/events.md for rotation), read with one signed request (no Secrets Manager
 * client: shared/adapters/aws/secrets-manager.ts, decision 0016). Read once per container; the signer caches it.
 */
import { setKeyDocumentSchema, type SetKeyDocument, type SetKeySource } from '../../domain/events/set';
import type { SecretStringReader } from './secrets-manager';

export class SecretsManagerSetKeySource implements SetKeySource {
  constructor(
    private readonly read: SecretStringReader,
    private readonly secretId: string,
  ) {}

  async load(): Promise<SetKeyDocument> {
    const secretString = await this.read(this.secretId);
    let parsed: ReturnType<typeof setKeyDocumentSchema.safeParse> | undefined;
    try {
      parsed = setKeyDocumentSchema.safeParse(JSON.parse(secretString ?? 'null'));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new Error(`SET signing secret ${this.secretId} is not a seed document`);
    return parsed.data;
  }
}
