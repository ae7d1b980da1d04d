/** The SET signing seed read from Secrets Manager's SecretString (the reader is the one signed request's result). */
import { SecretsManagerSetKeySource } from '../../../shared/adapters/aws/set-key-secrets-manager';

const seed = 'k'.repeat(43);

describe('SET signing seed from Secrets Manager', () => {
  it('reads the seed document, with previous seeds', async () => {
    const asked: string[] = [];
    const source = new SecretsManagerSetKeySource(async (id) => {
      asked.push(id);
      return JSON.stringify({ seed, previousSeeds: ['p'.repeat(40)] });
    }, 'arn:secret:set');
    await expect(source.load()).resolves.toEqual({ seed, previousSeeds: ['p'.repeat(40)] });
    expect(asked).toEqual(['arn:secret:set']);
  });

  it.each([
    ['no secret string', undefined],
    ['not JSON', '{seed'],
    ['a short seed', JSON.stringify({ seed: 'short' })],
    ['no seed', JSON.stringify({ previousSeeds: [seed] })],
  ])('refuses %s, naming the secret and never its content', async (_name, secretString) => {
    const source = new SecretsManagerSetKeySource(async () => secretString, 'arn:secret:set');
    const error = await source.load().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe('SET signing secret arn:secret:set is not a seed document');
  });
});
