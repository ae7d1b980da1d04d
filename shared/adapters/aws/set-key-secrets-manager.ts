/**
 * The SET signing seed in AWS Secrets Manager: SecretString `{ "seed": "…", "previousSeeds": ["…"] }` (the CDK
 * data stack generates `seed`; see docs/events.md for rotation). Read once per container; the signer caches it.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setKeyDocumentSchema, type SetKeyDocument, type SetKeySource } from '../../domain/events/set';

export class SecretsManagerSetKeySource implements SetKeySource {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  async load(): Promise<SetKeyDocument> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const parsed = setKeyDocumentSchema.safeParse(JSON.parse(output.SecretString ?? 'null'));
    if (!parsed.success) throw new Error(`SET signing secret ${this.secretId} is not a seed document`);
    return parsed.data;
  }
}
