/** A minimal SCIM client for the benchmark: one bearer token, keep-alive fetch, wall-clock latency per request. */

export interface BenchRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path relative to the SCIM base URL, e.g. `Users?count=1`. */
  path: string;
  body?: unknown;
}

export interface BenchResponse {
  status: number;
  /** Milliseconds from sending the request to the last byte of the response body. */
  ms: number;
  text: string;
}

export class ScimClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async send(req: BenchRequest): Promise<BenchResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/scim+json',
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/scim+json';
      body = JSON.stringify(req.body);
    }
    const started = performance.now();
    const res = await fetch(`${this.baseUrl}/${req.path}`, { method: req.method, headers, body });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - started, text };
  }

  /** Sends and parses, failing on an unexpected status (setup and checks, not measured). */
  async json<T>(req: BenchRequest, expected: number): Promise<T> {
    const res = await this.send(req);
    if (res.status !== expected) {
      throw new Error(
        `${req.method} ${req.path}: expected ${expected}, got ${res.status}: ${res.text.slice(0, 300)}`,
      );
    }
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }
}
