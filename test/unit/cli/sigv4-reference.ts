/**
 * An independent, minimal SigV4 verifier (AWS docs, "Create a signed AWS API request") used to check that the CLI
 * signs what it sends. Handles the CLI's requests: unreserved path characters, simple query values.
 */
import { createHash, createHmac } from 'node:crypto';

const sha256 = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

const encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent on the wire. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      value,
    );
  if (!m) return undefined;
  return {
    accessKeyId: m[1] as string,
    date: m[2] as string,
    region: m[3] as string,
    service: m[4] as string,
    signedHeaders: (m[5] as string).split(';'),
    signature: m[6] as string,
  };
}

/** The signature the request should carry, computed from what was received. */
export function expectedSignature(req: ReceivedRequest, secretAccessKey: string): string {
  const auth = parseAuthorization(String(req.headers.authorization ?? ''));
  if (!auth) throw new Error('no SigV4 authorization header');
  const url = new URL(req.url, 'http://placeholder');
  const canonicalUri = url.pathname
    .split('/')
    .map((segment) => encode(segment))
    .join('/');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = auth.signedHeaders
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    sha256(req.body),
  ].join('\n');
  const amzDate = String(req.headers['x-amz-date']);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}
