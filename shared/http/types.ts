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
