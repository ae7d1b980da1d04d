import { SecretsManagerPepperSource } from '../../../shared/adapters/aws/pepper-secrets-manager';
import type { SecretStringReader } from '../../../shared/adapters/aws/secrets-manager';
import { PepperConfigError } from '../../../shared/credentials/pepper';

/** A secret reader answering from a script of outcomes, recording the ids it was asked for. */
function reader(...outcomes: (string | undefined | Error)[]): SecretStringReader & { calls: string[] } {
  const calls: string[] = [];
  const read = async (secretId: string) => {
    calls.push(secretId);
    await Promise.resolve();
    const outcome = outcomes.length > 1 ? outcomes.shift() : outcomes[0];
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return Object.assign(read, { calls });
}
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scimgate/pepper-AbCdEf';
const key1 = Buffer.alloc(32, 1);
const key2 = Buffer.alloc(32, 2);

function secretString(document: unknown): string {
  return JSON.stringify(document);
}

describe('SecretsManagerPepperSource', () => {
  it('should parse the versions from the secret', async () => {
    const read = reader(
      secretString({
        versions: [
          { version: 1, key: key1.toString('base64'), createdAt: '2025-01-01T00:00:00Z' },
          { version: 2, key: key2.toString('base64'), createdAt: '2025-07-01T00:00:00Z' },
        ],
      }),
    );
    const source = new SecretsManagerPepperSource(read, SECRET_ID);

    const pepper = await source.load();

    expect(pepper.current).toEqual({ version: 2, key: key2 });
    expect(pepper.previous).toEqual([{ version: 1, key: key1 }]);
    expect(read.calls).toEqual([SECRET_ID]);
  });

  it('should read the secret once for many loads, concurrent and sequential', async () => {
    const read = reader(secretString({ versions: [{ version: 1, key: key1.toString('base64') }] }));
    const source = new SecretsManagerPepperSource(read, SECRET_ID);

    const concurrent = await Promise.all(Array.from({ length: 10 }, () => source.load()));
    const later = await source.load();

    expect(read.calls).toHaveLength(1);
    expect(new Set([...concurrent, later]).size).toBe(1);
  });

  it('should reject a secret of the wrong shape with a clear error that does not echo the key', async () => {
    const shortKey = Buffer.alloc(8, 7).toString('base64');
    const source = new SecretsManagerPepperSource(
      reader(secretString({ versions: [{ version: 'one', key: shortKey }] })),
      SECRET_ID,
    );

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
    const source = new SecretsManagerPepperSource(reader('hunter2hunter2'), SECRET_ID);

    await expect(source.load()).rejects.toThrow(/is not valid JSON/);
  });

  it('should reject a binary secret', async () => {
    const source = new SecretsManagerPepperSource(reader(undefined), SECRET_ID);

    await expect(source.load()).rejects.toThrow(/no SecretString/);
  });

  it('should not cache a failed read, so the next load retries', async () => {
    const read = reader(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      secretString({ versions: [{ version: 4, key: key1.toString('base64') }] }),
    );
    const source = new SecretsManagerPepperSource(read, SECRET_ID);

    await expect(source.load()).rejects.toThrow('Rate exceeded');
    const pepper = await source.load();

    expect(pepper.current.version).toBe(4);
    expect(read.calls).toHaveLength(2);
  });
});
