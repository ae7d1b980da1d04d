import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  PepperConfigError,
  candidateHashes,
  constantTimeEqual,
  hashSecret,
  parsePepperDocument,
  parsePepperJson,
  pepperFromVersions,
  type Pepper,
} from '../../../shared/credentials/pepper';

const key1 = Buffer.alloc(32, 1);
const key2 = Buffer.alloc(32, 2);
const key3 = Buffer.alloc(48, 3);

describe('pepper', () => {
  describe('hashSecret', () => {
    it('should compute HMAC-SHA256 in hex with the current version', () => {
      const pepper = pepperFromVersions([{ version: 7, key: key1 }]);
      const expected = createHmac('sha256', key1).update('scgb_example', 'utf8').digest('hex');

      const result = hashSecret(pepper, 'scgb_example');

      expect(result).toEqual({ version: 7, hash: expected });
      expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('should match the RFC 4231 test case 6 vector', () => {
      const pepper = pepperFromVersions([{ version: 1, key: Buffer.alloc(131, 0xaa) }]);

      const result = hashSecret(pepper, 'Test Using Larger Than Block-Size Key - Hash Key First');

      expect(result.hash).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
    });

    it('should give different hashes under different keys', () => {
      const a = hashSecret(pepperFromVersions([{ version: 1, key: key1 }]), 'scgb_x');
      const b = hashSecret(pepperFromVersions([{ version: 1, key: key2 }]), 'scgb_x');

      expect(a.hash).not.toBe(b.hash);
    });

    it('should refuse a key shorter than 32 bytes even when built by hand', () => {
      const pepper: Pepper = { current: { version: 1, key: Buffer.alloc(31) }, previous: [] };

      expect(() => hashSecret(pepper, 'x')).toThrow(PepperConfigError);
    });
  });

  describe('pepperFromVersions', () => {
    it('should make the highest version current and order the rest newest first', () => {
      const pepper = pepperFromVersions([
        { version: 1, key: key1 },
        { version: 3, key: key3 },
        { version: 2, key: key2 },
      ]);

      expect(pepper.current.version).toBe(3);
      expect(pepper.previous.map((v) => v.version)).toEqual([2, 1]);
    });

    it.each([
      ['no versions', []],
      ['a 31-byte key', [{ version: 1, key: Buffer.alloc(31) }]],
      ['version 0', [{ version: 0, key: key1 }]],
      ['a fractional version', [{ version: 1.5, key: key1 }]],
      [
        'a duplicate version',
        [
          { version: 2, key: key1 },
          { version: 2, key: key2 },
        ],
      ],
    ])('should reject %s', (_name, versions) => {
      expect(() => pepperFromVersions(versions)).toThrow(PepperConfigError);
    });
  });

  describe('candidateHashes', () => {
    it('should list the current version first, then the previous ones newest first', () => {
      const pepper = pepperFromVersions([
        { version: 1, key: key1 },
        { version: 2, key: key2 },
        { version: 3, key: key3 },
      ]);

      const candidates = candidateHashes(pepper, 'scgb_secret');

      expect(candidates.map((c) => c.version)).toEqual([3, 2, 1]);
      expect(candidates[0]).toEqual(hashSecret(pepper, 'scgb_secret'));
      expect(candidates[2]?.hash).toBe(createHmac('sha256', key1).update('scgb_secret').digest('hex'));
    });

    it('should find a hash stored under an older version after rotation', () => {
      const before = pepperFromVersions([{ version: 1, key: key1 }]);
      const stored = hashSecret(before, 'scgp_pw');
      const after = pepperFromVersions([
        { version: 1, key: key1 },
        { version: 2, key: key2 },
      ]);

      const match = candidateHashes(after, 'scgp_pw').find((c) => constantTimeEqual(c.hash, stored.hash));

      expect(match?.version).toBe(1);
    });
  });

  describe('constantTimeEqual', () => {
    it.each([
      ['', '', true],
      ['abc', 'abc', true],
      ['abc', 'abd', false],
      ['abc', 'ab', false],
      ['', 'a', false],
      ['é', 'e', false],
    ])('should compare %j and %j as %s', (a, b, expected) => {
      expect(constantTimeEqual(a, b)).toBe(expected);
    });

    it('should agree with === for arbitrary strings', () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), (a, b) => {
          expect(constantTimeEqual(a, b)).toBe(a === b);
          expect(constantTimeEqual(a, a)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('parsePepperDocument', () => {
    const good = randomBytes(32).toString('base64');

    it('should parse several versions and decode the keys', () => {
      const pepper = parsePepperDocument(
        {
          versions: [
            { version: 1, key: good, createdAt: '2025-01-01T00:00:00Z' },
            { version: 2, key: key2.toString('base64') },
          ],
        },
        'test',
      );

      expect(pepper.current).toEqual({ version: 2, key: key2 });
      expect(pepper.previous).toEqual([{ version: 1, key: Buffer.from(good, 'base64') }]);
    });

    it.each([
      ['a missing versions field', {}, /versions/],
      ['an empty list', { versions: [] }, /at least one version/],
      ['a non-base64 key', { versions: [{ version: 1, key: 'not base64!' }] }, /versions\.0\.key/],
      ['a short key', { versions: [{ version: 1, key: Buffer.alloc(16).toString('base64') }] }, /32 bytes/],
      ['a negative version', { versions: [{ version: -1, key: good }] }, /versions\.0\.version/],
      [
        'duplicate versions',
        {
          versions: [
            { version: 1, key: good },
            { version: 1, key: good },
          ],
        },
        /unique/,
      ],
      ['a bad createdAt', { versions: [{ version: 1, key: good, createdAt: 'yesterday' }] }, /createdAt/],
    ])('should reject %s with a clear error', (_name, document, message) => {
      expect(() => parsePepperDocument(document, 'test')).toThrow(message);
    });

    it('should not echo the secret text when the JSON is invalid', () => {
      const text = `{"versions":[{"version":1,"key":"${good}"`;

      const error = ((): unknown => {
        try {
          parsePepperJson(text, 'somewhere');
          return undefined;
        } catch (caught) {
          return caught;
        }
      })();

      expect(error).toBeInstanceOf(PepperConfigError);
      expect(String(error)).toContain('pepper in somewhere is not valid JSON');
      expect(String(error)).not.toContain(good.slice(0, 10));
    });
  });
});
