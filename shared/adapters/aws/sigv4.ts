/**
 * SigV4 signing of one HTTP request with @smithy/signature-v4 (the SDK's own signer), for the few AWS calls made
 * without a service client: the CLI's management API requests (`execute-api`) and the functions' Secrets Manager
 * reads (shared/adapters/aws/secrets-manager.ts). SHA-256 comes from node:crypto.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Static credentials, or a provider (such as the default chain or an SDK client's) that resolves them. */
export type CredentialSource = AwsCredentials | (() => Promise<AwsCredentials>);

/**
 * The credentials Lambda puts in every function's environment (the first source of the SDK's own chain there).
 * Read on each use, so a test or a tool that sets them later is seen.
 */
export const environmentCredentials = (): Promise<AwsCredentials> => {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey)
    return Promise.reject(
      new Error('No AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set'),
    );
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return Promise.resolve({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
};

export interface SignInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SignOptions {
  region: string;
  credentials: CredentialSource;
  service: string;
  /** Fixed signing time (tests); default now. */
  signingDate?: Date;
}

type Bytes = string | ArrayBuffer | ArrayBufferView;

const toBuffer = (data: Bytes): Buffer | string =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The checksum constructor the signer wants: SHA-256, or HMAC-SHA256 when given a key. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/**
 * Returns the headers to send: the given ones plus `host`, `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` (temporary credentials) and `authorization`.
 */
export async function signRequest(input: SignInput, options: SignOptions): Promise<Record<string, string>> {
  const url = new URL(input.url);
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers.host = url.host;
  const signed = await signer.sign(
    {
      method: input.method.toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      // Already percent-encoded once by URL; the signer encodes again, as SigV4 wants for every service but S3.
      path: url.pathname,
      query,
      headers,
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return { ...(signed.headers as Record<string, string>) };
}
