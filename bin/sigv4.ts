/**
 * SigV4 signing of management API requests for a deployed stack (API Gateway HTTP API with IAM authorization:
 * service `execute-api`). Credentials come from the standard AWS chain unless a caller injects them (tests).
 */
import {
  signRequest as signAwsRequest,
  type CredentialSource,
  type SignInput,
  type SignOptions,
} from '../shared/adapters/aws/sigv4';

export type { AwsCredentials, CredentialSource, SignInput } from '../shared/adapters/aws/sigv4';

export const SIGNING_SERVICE = 'execute-api';

/** Signs a management API request (service `execute-api` unless told otherwise): the headers to send. */
export function signRequest(
  input: SignInput,
  options: Omit<SignOptions, 'service'> & { service?: string },
): Promise<Record<string, string>> {
  return signAwsRequest(input, { ...options, service: options.service ?? SIGNING_SERVICE });
}

/** Region from an API Gateway host name (`abc123.execute-api.eu-west-1.amazonaws.com`). */
export function regionFromHost(host: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/i.exec(host)?.[1]?.toLowerCase();
}

/** The standard AWS credential chain (env, SSO, profiles, container, instance), loaded only when needed. */
export async function defaultCredentialSource(): Promise<CredentialSource> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider() as CredentialSource;
}
