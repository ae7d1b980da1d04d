/**
 * The one error vocabulary of scimgate (RFC 7644 §3.12). Everything below the HTTP edge throws a `ScimError`;
 * the edge maps it to a SCIM error body once. Unknown errors become a logged 500 with no internals in the body.
 */

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 Table 9 scimType values, with the status each one belongs to. */
export const SCIM_TYPES = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 400,
  invalidCursor: 400,
  expiredCursor: 400,
  insufficient_scope: 403,
} as const;

export type ScimType = keyof typeof SCIM_TYPES;

export type ScimStatus = 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 415 | 429 | 500 | 501 | 503;

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

export class ScimError extends Error {
  readonly status: ScimStatus;
  readonly scimType: ScimType | undefined;
  /** Extra response headers (WWW-Authenticate, Retry-After, Allow…). */
  readonly headers: Record<string, string>;

  constructor(status: ScimStatus, detail: string, scimType?: ScimType, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }

  toBody(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(this.status) };
    if (this.scimType) body.scimType = this.scimType;
    body.detail = this.message;
    return body;
  }

  // Named constructors: the status/scimType pairs written down once.
  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidFilter');
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidSyntax');
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidValue');
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidPath');
  }
  static noTarget(detail: string): ScimError {
    return new ScimError(400, detail, 'noTarget');
  }
  static mutability(detail: string): ScimError {
    return new ScimError(400, detail, 'mutability');
  }
  static tooMany(detail: string): ScimError {
    return new ScimError(400, detail, 'tooMany');
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError(409, detail, 'uniqueness');
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, detail);
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError(412, detail);
  }
  static forbidden(detail: string): ScimError {
    return new ScimError(403, detail, 'insufficient_scope');
  }
}

export function isScimError(e: unknown): e is ScimError {
  return e instanceof ScimError;
}
