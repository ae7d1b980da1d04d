/** Framework-free request/response shapes the edge works with (built from API Gateway events). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';

export interface HttpRequest {
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Decoded query parameters; the first value wins when a name repeats. */
  query: Record<string, string>;
  body: string | undefined;
  /**
   * The body arrived as bytes (base64 from API Gateway, a Buffer in the local server) that are not valid UTF-8.
   * `body` then holds a lossy decoding; the JSON edges refuse it with 400 invalidSyntax.
   */
  invalidUtf8?: boolean;
  sourceIp: string;
  userAgent: string;
  /** scheme://host of the request as the client saw it. */
  origin: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}
