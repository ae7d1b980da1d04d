/**
 * SigV4 signing of management API requests for a deployed stack (API Gateway HTTP API with IAM authorization:
 * service `execute-api`). Credentials come from the standard AWS chain unless a caller injects them (tests).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Static credentials, or a provider (such as the default chain) that resolves them. */
export type CredentialSource = AwsCredentials | (() => Promise<AwsCredentials>);

export const SIGNING_SERVICE = 'execute-api';

export interface SignInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SignOptions {
  region: string;
  credentials: CredentialSource;
  service?: string;
  /** Fixed signing time (tests); default now. */
  signingDate?: Date;
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
    service: options.service ?? SIGNING_SERVICE,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
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

/** Region from an API Gateway host name (`abc123.execute-api.eu-west-1.amazonaws.com`). */
export function regionFromHost(host: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/i.exec(host)?.[1]?.toLowerCase();
}

/** The standard AWS credential chain (env, SSO, profiles, container, instance), loaded only when needed. */
export async function defaultCredentialSource(): Promise<CredentialSource> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider() as () => Promise<AwsCredentials>;
}
