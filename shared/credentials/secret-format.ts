/**
 * The wire format of every secret scimgate issues (see docs: shared/docs/credentials.md, "Format").
 *
 *   <prefix><body><checksum>
 *   scgb_   43 chars   6 chars
 *
 * - prefix: one per kind, ends in `_` (table below), so secret scanners can recognise a leaked secret and a
 *   double-click selects the whole token (`_` is a word character; `-` is not).
 * - body: 256 bits from the CSPRNG (`crypto.randomBytes(32)`), base62 (0-9A-Za-z), fixed width 43 chars.
 *   62^43 > 2^256, so every 32-byte value has exactly one 43-char encoding; bodies above 2^256 - 1 are rejected.
 * - checksum: CRC32 (`zlib.crc32`) of prefix + body, base62, fixed width 6 chars, appended without a separator
 *   (GitHub-style). It lets `parseSecret` reject typos and made-up tokens before any database read.
 *
 * Pure: no I/O, no AWS SDK.
 */
import { randomBytes as cryptoRandomBytes, randomInt } from 'node:crypto';

/**
 * `zlib.crc32`, taken with `process.getBuiltinModule` on first use: an ES import of `node:zlib` builds its module
 * namespace at every cold start of every function that authenticates (a few milliseconds for one function).
 */
const crc32 = (data: string): number => process.getBuiltinModule('node:zlib').crc32(data);

/** Secret kinds → their prefixes. A prefix is never a prefix of another one. */
export const SECRET_PREFIXES = {
  bearer: 'scgb_',
  'client-secret': 'scgc_',
  'basic-password': 'scgp_',
  gateway: 'scgg_',
  'access-token': 'scga_',
  /** Console setup links (docs/console.md): single use, minutes. */
  'setup-link': 'scgl_',
  /** Console session cookies. */
  session: 'scgs_',
} as const;

export type SecretKind = keyof typeof SECRET_PREFIXES;

export const SECRET_KINDS = Object.keys(SECRET_PREFIXES) as SecretKind[];

/** Prefix of OAuth client ids (public identifiers, not secrets, no checksum). */
export const CLIENT_ID_PREFIX = 'scgi_';
/** Prefix of generated HTTP Basic usernames. */
export const BASIC_USERNAME_PREFIX = 'scim-';

/** Bytes of entropy in a secret body. */
export const SECRET_ENTROPY_BYTES = 32;
/** Base62 characters of a secret body (fixed width). */
export const SECRET_BODY_LENGTH = 43;
/** Base62 characters of the CRC32 checksum (fixed width; 62^6 > 2^32). */
export const SECRET_CHECKSUM_LENGTH = 6;
const PREFIX_LENGTH = 5;
/** Total length of every secret. */
export const SECRET_LENGTH = PREFIX_LENGTH + SECRET_BODY_LENGTH + SECRET_CHECKSUM_LENGTH;

const CLIENT_ID_ENTROPY_BYTES = 16;
const CLIENT_ID_BODY_LENGTH = 22; // 62^22 > 2^128
const BASIC_USERNAME_RANDOM_LENGTH = 12;

/** Digits in ASCII order, so that comparing two fixed-width encodings as strings compares their values. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOWER_ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyz';

const PREFIX_TO_KIND = new Map<string, SecretKind>(
  SECRET_KINDS.map((kind) => [SECRET_PREFIXES[kind], kind] as const),
);

/** Source of random bytes; only tests pass another one. */
export type RandomBytes = (size: number) => Buffer;

function encodeBase62(value: bigint, width: number): string {
  let rest = value;
  let out = '';
  for (let i = 0; i < width; i += 1) {
    out = BASE62.charAt(Number(rest % 62n)) + out;
    rest /= 62n;
  }
  if (rest !== 0n) throw new RangeError(`value does not fit in ${width} base62 characters`);
  return out;
}

function bytesToBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** The largest valid body: 2^256 - 1 in fixed width. */
const MAX_BODY = encodeBase62((1n << BigInt(SECRET_ENTROPY_BYTES * 8)) - 1n, SECRET_BODY_LENGTH);
const BASE62_RUN = /^[0-9A-Za-z]+$/;

function checksum(prefixAndBody: string): string {
  return encodeBase62(BigInt(crc32(prefixAndBody)), SECRET_CHECKSUM_LENGTH);
}

function randomBody(random: RandomBytes, bytes: number, width: number): string {
  const buffer = random(bytes);
  if (buffer.length !== bytes) throw new RangeError(`expected ${bytes} random bytes, got ${buffer.length}`);
  return encodeBase62(bytesToBigInt(buffer), width);
}

/** A fresh secret of the given kind: prefix + 256-bit base62 body + base62 CRC32 checksum. */
export function generateSecret(kind: SecretKind, random: RandomBytes = cryptoRandomBytes): string {
  const prefix = SECRET_PREFIXES[kind];
  const body = randomBody(random, SECRET_ENTROPY_BYTES, SECRET_BODY_LENGTH);
  return prefix + body + checksum(prefix + body);
}

export interface ParsedSecret {
  kind: SecretKind;
  /** The 43-char base62 body (without prefix and checksum). */
  body: string;
}

/**
 * Validates prefix, length, alphabet, range and checksum. Returns undefined for anything malformed, so callers
 * can reject a request before any database read. Never throws, whatever the input.
 */
export function parseSecret(text: unknown): ParsedSecret | undefined {
  if (typeof text !== 'string' || text.length !== SECRET_LENGTH) return undefined;
  const kind = PREFIX_TO_KIND.get(text.slice(0, PREFIX_LENGTH));
  if (kind === undefined) return undefined;
  const rest = text.slice(PREFIX_LENGTH);
  if (!BASE62_RUN.test(rest)) return undefined;
  const body = rest.slice(0, SECRET_BODY_LENGTH);
  // Fixed width and an ASCII-ordered alphabet: string order is numeric order.
  if (body > MAX_BODY) return undefined;
  if (rest.slice(SECRET_BODY_LENGTH) !== checksum(text.slice(0, PREFIX_LENGTH + SECRET_BODY_LENGTH))) {
    return undefined;
  }
  return { kind, body };
}

/**
 * What listings show instead of the secret: its prefix and its last 4 characters, e.g. `scgb_...x7Qz`.
 * For a string without a known prefix only the last 4 characters are kept (`...x7Qz`); for a string shorter
 * than 12 characters nothing of it is shown (`...`), since 4 characters would be a large part of it.
 */
export function secretHint(secret: string): string {
  const prefix = PREFIX_TO_KIND.has(secret.slice(0, PREFIX_LENGTH)) ? secret.slice(0, PREFIX_LENGTH) : '';
  const tail = secret.length >= 12 ? secret.slice(-4) : '';
  return `${prefix}...${tail}`;
}

/** A fresh OAuth client id: `scgi_` + 128 random bits in base62 (22 chars). Public, so no checksum. */
export function generateClientId(random: RandomBytes = cryptoRandomBytes): string {
  return CLIENT_ID_PREFIX + randomBody(random, CLIENT_ID_ENTROPY_BYTES, CLIENT_ID_BODY_LENGTH);
}

/** A fresh HTTP Basic username: `scim-` + 12 uniformly random lowercase alphanumerics; never contains `:`. */
export function generateBasicUsername(): string {
  let out = BASIC_USERNAME_PREFIX;
  for (let i = 0; i < BASIC_USERNAME_RANDOM_LENGTH; i += 1) {
    out += LOWER_ALPHANUMERIC.charAt(randomInt(LOWER_ALPHANUMERIC.length));
  }
  return out;
}
