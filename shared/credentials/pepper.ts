/**
 * Secrets are stored only as HMAC-SHA256(pepper, secret). The pepper is versioned so that it can rotate: new
 * hashes use the current version; lookups try the current version, then the previous ones.
 *
 * A slow KDF (bcrypt/scrypt/PBKDF2) adds nothing for a 256-bit random secret (NIST SP 800-63B) and would cost
 * ~100 ms of CPU per request, so one HMAC (~1 µs) it is.
 *
 * The port (`PepperSource`) and the stored document's schema live here; adapters (local file, Secrets Manager)
 * only fetch the document. No AWS SDK here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';

export interface PepperVersion {
  version: number;
  key: Buffer;
}

export interface Pepper {
  current: PepperVersion;
  /** Older versions, newest first; tried after `current` while hashes made with them may still be stored. */
  previous: PepperVersion[];
}

/** The port: where the pepper comes from. Implementations load it once per container. */
export interface PepperSource {
  load(): Promise<Pepper>;
}

export interface SecretHash {
  /** The pepper version the hash was made with (store it next to the hash). */
  version: number;
  /** HMAC-SHA256(key, secret), lowercase hex (64 chars). */
  hash: string;
}

export const MIN_PEPPER_KEY_BYTES = 32;

/** Thrown when a pepper (or the document it was read from) is unusable. Never carries key material. */
export class PepperConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PepperConfigError';
  }
}

/**
 * The stored shape, shared by every adapter (file and Secrets Manager):
 *
 *   { "versions": [ { "version": 1, "key": "<standard base64 of ≥ 32 random bytes>", "createdAt": "<ISO 8601>" } ] }
 *
 * Versions are unique positive integers; the highest is current. `createdAt` is optional (informational).
 */
export const pepperDocumentSchema = z.object({
  versions: z
    .array(
      z.object({
        version: z.int({ error: 'must be an integer' }).check(z.positive({ error: 'must be positive' })),
        key: z.base64({ error: 'must be standard base64' }),
        createdAt: z.optional(z.iso.datetime({ error: 'must be an ISO 8601 date-time' })),
      }),
    )
    .check(
      z.minLength(1, { error: 'must hold at least one version' }),
      z.refine((versions) => new Set(versions.map((v) => v.version)).size === versions.length, {
        error: 'versions must be unique',
      }),
    ),
});

export type PepperDocument = z.infer<typeof pepperDocumentSchema>;

function validateVersion(v: PepperVersion): void {
  if (!Number.isSafeInteger(v.version) || v.version < 1) {
    throw new PepperConfigError(`pepper version ${String(v.version)} is not a positive integer`);
  }
  if (v.key.length < MIN_PEPPER_KEY_BYTES) {
    throw new PepperConfigError(
      `pepper version ${v.version} has a ${v.key.length}-byte key; at least ${MIN_PEPPER_KEY_BYTES} bytes are required`,
    );
  }
}

/** Builds a pepper from its versions: the highest is current, the others follow newest first. Validates. */
export function pepperFromVersions(versions: readonly PepperVersion[]): Pepper {
  if (versions.length === 0) throw new PepperConfigError('a pepper needs at least one version');
  versions.forEach(validateVersion);
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const [current, ...previous] = sorted;
  if (current === undefined) throw new PepperConfigError('a pepper needs at least one version');
  for (let i = 1; i < sorted.length; i += 1) {
    const version = sorted[i]?.version;
    if (version === sorted[i - 1]?.version) {
      throw new PepperConfigError(`pepper version ${String(version)} appears more than once`);
    }
  }
  return { current, previous };
}

/**
 * Parses a pepper document (already JSON-decoded). `where` names the source in error messages (a path or a
 * secret id). Error messages name the failing field, never its value.
 */
export function parsePepperDocument(json: unknown, where: string): Pepper {
  const result = pepperDocumentSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new PepperConfigError(`pepper in ${where} has an invalid shape: ${problems}`);
  }
  return pepperFromVersions(
    result.data.versions.map((v) => ({ version: v.version, key: Buffer.from(v.key, 'base64') })),
  );
}

/** Parses the JSON text of a pepper document; a syntax error never echoes the text (it holds keys). */
export function parsePepperJson(text: string, where: string): Pepper {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PepperConfigError(`pepper in ${where} is not valid JSON`);
  }
  return parsePepperDocument(json, where);
}

function hmac(version: PepperVersion, secret: string): SecretHash {
  validateVersion(version);
  return {
    version: version.version,
    hash: createHmac('sha256', version.key).update(secret, 'utf8').digest('hex'),
  };
}

/** The hash to store for a new secret: HMAC-SHA256 with the current pepper version. */
export function hashSecret(pepper: Pepper, secret: string): SecretHash {
  return hmac(pepper.current, secret);
}

/** Hashes to look a presented secret up by: current version first, then the previous ones, newest first. */
export function candidateHashes(pepper: Pepper, secret: string): SecretHash[] {
  return [pepper.current, ...pepper.previous].map((version) => hmac(version, secret));
}

/**
 * Compares two strings in time that depends only on their lengths. For different lengths it still runs one
 * comparison (of `a` with itself) and returns false, so the only thing timing reveals is the length.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
