/**
 * Typed AST for SCIM filters (RFC 7644 §3.4.2.2) and attribute paths (RFC 7644 §3.5.2 PATCH paths).
 * Produced by `parseFilter` / `parsePath` (./parser.ts), consumed by `evaluate` (./evaluate.ts), the PATCH engine and
 * the storage query planner.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterValue = string | number | boolean | null;

/**
 * An attribute path as written by the client, e.g.
 *  - `userName`                       → { attr: 'userName' }
 *  - `name.givenName`                 → { attr: 'name', sub: 'givenName' }
 *  - `urn:…:enterprise:2.0:User:manager.value` → { schema: 'urn:…:enterprise:2.0:User', attr: 'manager', sub: 'value' }
 *  - `emails[type eq "work"].value`   → { attr: 'emails', valueFilter: <type eq "work">, sub: 'value' }
 * Names keep the client's spelling; resolution against the schema is case-insensitive.
 */
export interface AttrPath {
  schema?: string;
  attr: string;
  valueFilter?: Filter;
  sub?: string;
}

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /** `emails[type eq "work" and primary eq true]`: true when some element of the multi-valued attribute matches. */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };
