/**
 * Schema URNs, the attribute builder used by the schema data files, and the common attributes of RFC 7643 §3.1
 * (`id`, `externalId`, `meta`). Common attributes resolve for every resource type but are not listed inside a core
 * schema's `attributes` in `/Schemas` (RFC 7643 §3.1: "not defined in any particular schema").
 */
import type { AttributeDefinition } from '../types';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** SCIM 1.1 core schema (OneLogin templates): accepted as an alias of the SCIM 2.0 core schema of the resource. */
export const SCIM11_CORE_SCHEMA = 'urn:scim:schemas:core:1.0';
/** SCIM 1.1 enterprise extension: accepted as an alias of {@link ENTERPRISE_USER_SCHEMA}. */
export const SCIM11_ENTERPRISE_SCHEMA = 'urn:scim:schemas:extension:enterprise:1.0';
/** Extra schema Entra ID may put in `schemas` of a POST /Groups: accepted and dropped. */
export const MS_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Characteristics that differ from the RFC 7643 §2.2 defaults. */
export type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

/**
 * One attribute definition with every characteristic spelled out. Defaults are those of RFC 7643 §2.2
 * (single-valued, optional, caseExact false, readWrite, returned default, uniqueness none).
 */
export function attribute(
  name: string,
  type: AttributeDefinition['type'],
  description: string,
  options: AttributeOptions = {},
): AttributeDefinition {
  const definition: AttributeDefinition = {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
  };
  if (options.canonicalValues) definition.canonicalValues = [...options.canonicalValues];
  if (options.referenceTypes) definition.referenceTypes = [...options.referenceTypes];
  if (options.subAttributes) definition.subAttributes = options.subAttributes;
  return definition;
}

/**
 * The usual sub-attributes of a multi-valued complex attribute (RFC 7643 §2.4): value, display, type, primary.
 * `valueType` is the type of `value` (string, reference, binary); `types` the canonical values of `type`.
 */
export function plainMultiValuedSubAttributes(
  what: string,
  types: string[] | undefined,
  valueType: AttributeDefinition['type'] = 'string',
  valueOptions: AttributeOptions = {},
): AttributeDefinition[] {
  return [
    attribute('value', valueType, `The value of the ${what}.`, valueOptions),
    attribute(
      'display',
      'string',
      `A human-readable name for the ${what}, primarily used for display purposes.`,
    ),
    attribute(
      'type',
      'string',
      `A label indicating the ${what}'s function.`,
      types ? { canonicalValues: types } : {},
    ),
    attribute(
      'primary',
      'boolean',
      `A Boolean value indicating the 'primary' or preferred ${what}. The value true appears no more than once.`,
    ),
  ];
}

/** Recursively freezes schema data so that no request can mutate the process-wide definitions. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}

export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = deepFreeze([
  attribute(
    'id',
    'string',
    'A unique identifier for the resource, assigned by the service provider. Always returned, never settable by clients.',
    { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' },
  ),
  attribute(
    'externalId',
    'string',
    "An identifier for the resource as defined by the provisioning client (for example Entra ID's objectId).",
    { caseExact: true },
  ),
  attribute('meta', 'complex', 'Resource metadata maintained by the service provider.', {
    mutability: 'readOnly',
    subAttributes: [
      attribute('resourceType', 'string', 'The name of the resource type of the resource (User or Group).', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute('created', 'dateTime', 'The date and time the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      attribute('lastModified', 'dateTime', 'The most recent date and time the resource was modified.', {
        mutability: 'readOnly',
      }),
      attribute('location', 'reference', 'The URI of the resource being returned.', {
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attribute('version', 'string', 'The version (weak ETag) of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
]);
