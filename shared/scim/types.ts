/**
 * Shared SCIM types (RFC 7643). Schema definitions are data: the same definitions drive /Schemas, input
 * normalisation, filter evaluation (caseExact, types), PATCH and output projection (returned).
 */

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** RFC 7643 §7 attribute characteristics. Names are the canonical spelling; lookups are case-insensitive. */
export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  id: string; // schema URN
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

export interface ResourceTypeDefinition {
  id: 'User' | 'Group';
  name: string;
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
}

/** A SCIM resource as JSON (already normalised to canonical attribute names). */
export type ScimResource = Record<string, unknown>;

/** Wire content types. */
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** The result of resolving an attribute name (any case, optionally URN-qualified) against a resource type's schemas. */
export interface ResolvedAttribute {
  /** URN of the schema that defines the attribute (core schema URN for core and common attributes). */
  schema: string;
  /** True when the value lives under `resource[schema]` (an extension schema), false when it is top-level. */
  extension: boolean;
  definition: AttributeDefinition;
}

/**
 * Resolves a top-level attribute: `schema` is the URN prefix the client wrote (undefined when unqualified), `name`
 * the attribute name in any case. Sub-attributes are found in `definition.subAttributes` (case-insensitively).
 */
export type AttributeResolver = (schema: string | undefined, name: string) => ResolvedAttribute | undefined;
