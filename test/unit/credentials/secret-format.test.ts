import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import {
  SECRET_BODY_LENGTH,
  SECRET_CHECKSUM_LENGTH,
  SECRET_KINDS,
  SECRET_LENGTH,
  SECRET_PREFIXES,
  generateBasicUsername,
  generateClientId,
  generateSecret,
  parseSecret,
  secretHint,
} from '../../../shared/credentials/secret-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function decodeBase62(text: string): bigint {
  let value = 0n;
  for (const char of text) value = value * 62n + BigInt(BASE62.indexOf(char));
  return value;
}

function withChecksum(prefixAndBody: string): string {
  let value = BigInt(crc32(prefixAndBody));
  let out = '';
  for (let i = 0; i < SECRET_CHECKSUM_LENGTH; i += 1) {
    out = BASE62.charAt(Number(value % 62n)) + out;
    value /= 62n;
  }
  return prefixAndBody + out;
}

describe('secret format', () => {
  it('should map each kind to its documented prefix', () => {
    expect(SECRET_PREFIXES).toEqual({
      bearer: 'scgb_',
      'client-secret': 'scgc_',
      'basic-password': 'scgp_',
      gateway: 'scgg_',
      'access-token': 'scga_',
      'setup-link': 'scgl_',
      session: 'scgs_',
    });
  });

  it.each(SECRET_KINDS)('should round-trip a generated %s secret through parseSecret', (kind) => {
    const secret = generateSecret(kind);

    const parsed = parseSecret(secret);

    expect(secret.startsWith(SECRET_PREFIXES[kind])).toBe(true);
    expect(secret).toHaveLength(SECRET_LENGTH);
    expect(secret).toMatch(/^scg[a-z]_[0-9A-Za-z]{49}$/);
    expect(parsed).toEqual({ kind, body: secret.slice(5, 5 + SECRET_BODY_LENGTH) });
  });

  it('should draw exactly 32 bytes (256 bits) and encode all of them in the body', () => {
    const requested: number[] = [];
    const bytes = randomBytes(32);
    const secret = generateSecret('bearer', (size) => {
      requested.push(size);
      return bytes;
    });

    const body = parseSecret(secret)?.body ?? '';

    expect(requested).toEqual([32]);
    expect(decodeBase62(body)).toBe(BigInt(`0x${bytes.toString('hex')}`));
  });

  it('should encode the extremes 0 and 2^256-1 in fixed width', () => {
    const zero = generateSecret('gateway', () => Buffer.alloc(32, 0));
    const max = generateSecret('gateway', () => Buffer.alloc(32, 0xff));

    expect(parseSecret(zero)?.body).toBe('0'.repeat(43));
    expect(decodeBase62(parseSecret(max)?.body ?? '')).toBe((1n << 256n) - 1n);
  });

  it('should produce different secrets on each call', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateSecret('bearer')));

    expect(secrets.size).toBe(200);
  });

  it('should reject a body above 2^256-1 even with a valid checksum', () => {
    const tooBig = withChecksum(`scgb_${'z'.repeat(43)}`);

    expect(parseSecret(tooBig)).toBeUndefined();
  });

  it('should accept a hand-made in-range body with a valid checksum', () => {
    const handMade = withChecksum(`scgc_${'1'.repeat(43)}`);

    expect(parseSecret(handMade)).toEqual({ kind: 'client-secret', body: '1'.repeat(43) });
  });

  it.each([
    ['empty string', ''],
    ['prefix only', 'scgb_'],
    ['unknown prefix', `ghp_x${generateSecret('bearer').slice(5)}`],
    ['uppercase prefix', `SCGB_${generateSecret('bearer').slice(5)}`],
    ['trailing newline', `${generateSecret('bearer')}\n`],
    ['leading space', ` ${generateSecret('bearer')}`],
    ['underscore in body', `scgb_${'_'.repeat(49)}`],
    ['non-ASCII in body', `scgb_${'é'.repeat(49)}`],
  ])('should reject a malformed secret: %s', (_name, text) => {
    expect(parseSecret(text)).toBeUndefined();
  });

  it('should reject non-string input without throwing', () => {
    expect(parseSecret(undefined)).toBeUndefined();
    expect(parseSecret(42)).toBeUndefined();
    expect(parseSecret({ length: SECRET_LENGTH })).toBeUndefined();
  });

  it('should reject every truncation and every extension by one character', () => {
    const secret = generateSecret('access-token');

    for (let length = 0; length < secret.length; length += 1) {
      expect(parseSecret(secret.slice(0, length))).toBeUndefined();
    }
    expect(parseSecret(`${secret}0`)).toBeUndefined();
  });

  it("should reject a secret whose prefix is swapped for another kind's prefix", () => {
    for (const kind of SECRET_KINDS) {
      const secret = generateSecret(kind);
      for (const other of SECRET_KINDS.filter((k) => k !== kind)) {
        expect(parseSecret(SECRET_PREFIXES[other] + secret.slice(5))).toBeUndefined();
      }
    }
  });

  it('should detect any single-character change anywhere in the secret', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SECRET_KINDS),
        fc.nat({ max: SECRET_LENGTH - 1 }),
        fc.constantFrom(...`${BASE62}_-.~+/=`.split('')),
        (kind, position, replacement) => {
          const secret = generateSecret(kind);
          fc.pre(secret.charAt(position) !== replacement);
          const changed = secret.slice(0, position) + replacement + secret.slice(position + 1);

          expect(parseSecret(changed)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should never throw and accept only well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseSecret(text);

        expect(parsed === undefined || text.length === SECRET_LENGTH).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('should hint with the prefix and the last 4 characters only', () => {
    const secret = generateSecret('client-secret');

    expect(secretHint(secret)).toBe(`scgc_...${secret.slice(-4)}`);
    expect(secretHint('unknown-prefixed-value-abcd')).toBe('...abcd');
    expect(secretHint('short')).toBe('...');
  });

  it('should generate client ids with scgi_ and 128 random bits in base62', () => {
    const requested: number[] = [];
    const bytes = randomBytes(16);

    const id = generateClientId((size) => {
      requested.push(size);
      return bytes;
    });

    expect(requested).toEqual([16]);
    expect(id).toMatch(/^scgi_[0-9A-Za-z]{22}$/);
    expect(decodeBase62(id.slice(5))).toBe(BigInt(`0x${bytes.toString('hex')}`));
    expect(generateClientId()).not.toBe(generateClientId());
  });

  it('should generate basic usernames as scim- plus 12 lowercase alphanumerics without a colon', () => {
    const names = Array.from({ length: 200 }, () => generateBasicUsername());

    for (const name of names) {
      expect(name).toMatch(/^scim-[0-9a-z]{12}$/);
      expect(name).not.toContain(':');
    }
    expect(new Set(names).size).toBe(200);
  });
});
