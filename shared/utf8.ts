/**
 * The one strict UTF-8 decoder: request bodies (the local server and shared/http/apigw.ts, for every API family) and the decoded
 * credentials of an HTTP Basic header (shared/credentials/authorization.ts) go through it. Bytes that are not a
 * UTF-8 encoding (overlong forms, surrogates, truncated sequences, stray continuation bytes) are refused instead of
 * being turned into U+FFFD replacement characters. A byte order mark is kept as text, never stripped.
 */
import { isUtf8 } from 'node:buffer';

/** The text the bytes encode, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  return isUtf8(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    : undefined;
}
