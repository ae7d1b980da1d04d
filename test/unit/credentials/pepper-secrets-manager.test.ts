import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerPepperSource } from '../../../shared/adapters/aws/pepper-secrets-manager';
import { PepperConfigError } from '../../../shared/credentials/pepper';

const secretsManager = mockClient(SecretsManagerClient);
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scimgate/pepper-AbCdEf';
const key1 = Buffer.alloc(32, 1);
const key2 = Buffer.alloc(32, 2);

function secretString(document: unknown): { SecretString: string } {
  return { SecretString: JSON.stringify(document) };
}

describe('SecretsManagerPepperSource', () => {
  beforeEach(() => {
    secretsManager.reset();
  });

  it('should parse the versions from the secret', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves(
      secretString({
        versions: [
          { version: 1, key: key1.toString('base64'), createdAt: '2025-01-01T00:00:00Z' },
          { version: 2, key: key2.toString('base64'), createdAt: '2025-07-01T00:00:00Z' },
        ],
      }),
    );
    const source = new SecretsManagerPepperSource(new SecretsManagerClient({}), SECRET_ID);

    const pepper = await source.load();

    expect(pepper.current).toEqual({ version: 2, key: key2 });
    expect(pepper.previous).toEqual([{ version: 1, key: key1 }]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET_ID,
    });
  });

  it('should call GetSecretValue once for many loads, concurrent and sequential', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretString({ versions: [{ version: 1, key: key1.toString('base64') }] }));
    const source = new SecretsManagerPepperSource(new SecretsManagerClient({}), SECRET_ID);

    const concurrent = await Promise.all(Array.from({ length: 10 }, () => source.load()));
    const later = await source.load();

    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(new Set([...concurrent, later]).size).toBe(1);
  });

  it('should reject a secret of the wrong shape with a clear error that does not echo the key', async () => {
    const shortKey = Buffer.alloc(8, 7).toString('base64');
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretString({ versions: [{ version: 'one', key: shortKey }] }));
    const source = new SecretsManagerPepperSource(new SecretsManagerClient({}), SECRET_ID);

    const error = await source.load().then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(PepperConfigError);
    expect(String(error)).toMatch(/invalid shape: versions\.0\.version/);
    expect(String(error)).toContain(SECRET_ID);
    expect(String(error)).not.toContain(shortKey);
  });

  it('should reject a secret that is not JSON', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2hunter2' });
    const source = new SecretsManagerPepperSource(new SecretsManagerClient({}), SECRET_ID);

    await expect(source.load()).rejects.toThrow(/is not valid JSON/);
  });

  it('should reject a binary secret', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const source = new SecretsManagerPepperSource(new SecretsManagerClient({}), SECRET_ID);

    await expect(source.load()).rejects.toThrow(/no SecretString/);
  });

  it('should not cache a failed read, so the next load retries', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves(secretString({ versions: [{ version: 4, key: key1.toString('base64') }] }));
    const source = new SecretsManagerPepperSource(new SecretsManagerClient({}), SECRET_ID);

    await expect(source.load()).rejects.toThrow('Rate exceeded');
    const pepper = await source.load();

    expect(pepper.current.version).toBe(4);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
