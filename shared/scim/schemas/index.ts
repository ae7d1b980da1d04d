/**
 * Schema registry: URNs, resource types and the case-insensitive attribute resolvers built once at module load.
 * Every SCIM component (normaliser, filter, PATCH, projection, /Schemas) resolves names through this module.
 */
import type {
  AttributeDefinition,
  AttributeResolver,
  ResolvedAttribute,
  ResourceTypeDefinition,
  SchemaDefinition,
} from '../types';
import {
  COMMON_ATTRIBUTES,
  deepFreeze,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  MS_GROUP_SCHEMA,
  SCIM11_CORE_SCHEMA,
  SCIM11_ENTERPRISE_SCHEMA,
  USER_SCHEMA,
} from './common';
import { ENTERPRISE_USER_SCHEMA_DEFINITION } from './enterprise-user';
import { GROUP_SCHEMA_DEFINITION } from './group';
import { USER_SCHEMA_DEFINITION } from './user';

export {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  MS_GROUP_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SCIM11_CORE_SCHEMA,
  SCIM11_ENTERPRISE_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from './common';
export { ENTERPRISE_USER_SCHEMA_DEFINITION } from './enterprise-user';
export { GROUP_SCHEMA_DEFINITION } from './group';
export { USER_SCHEMA_DEFINITION } from './user';

export type ResourceTypeId = ResourceTypeDefinition['id'];

export const RESOURCE_TYPES: Readonly<Record<ResourceTypeId, ResourceTypeDefinition>> = deepFreeze({
  User: {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
  },
  Group: {
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group',
    schema: GROUP_SCHEMA,
    schemaExtensions: [],
  },
});

/** The schemas served by /Schemas, in listing order. */
export const SCHEMA_DEFINITIONS: readonly SchemaDefinition[] = Object.freeze([
  USER_SCHEMA_DEFINITION,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
]);

const SCHEMAS_BY_ID = new Map(SCHEMA_DEFINITIONS.map((s) => [s.id.toLowerCase(), s]));

/** A schema by URN (case-insensitive), or undefined. */
export function schemaById(id: string): SchemaDefinition | undefined {
  return SCHEMAS_BY_ID.get(id.toLowerCase());
}

/** How a URN written by a client relates to a resource type. */
export type SchemaUrnRole =
  | { role: 'core'; urn: string }
  | { role: 'extension'; urn: string; definition: SchemaDefinition }
  /** Known but carries nothing for us (Entra's extra Group schema): accepted and dropped. */
  | { role: 'ignored'; urn: string };

interface ResourceTypeIndex {
  resourceType: ResourceTypeDefinition;
  core: SchemaDefinition;
  extensions: SchemaDefinition[];
  /** lower-cased URN (including aliases) → role */
  urns: Map<string, SchemaUrnRole>;
  /** lower-cased name → core and common attributes */
  coreAttributes: Map<string, ResolvedAttribute>;
  /** lower-cased canonical extension URN → lower-cased name → attribute */
  extensionAttributes: Map<string, Map<string, ResolvedAttribute>>;
  /** extension attributes reachable by an unqualified name (when no core attribute has that name) */
  unqualifiedExtensionAttributes: Map<string, ResolvedAttribute>;
  resolver: AttributeResolver;
}

const SUB_ATTRIBUTES = new WeakMap<AttributeDefinition, Map<string, AttributeDefinition>>();

function indexSubAttributes(definition: AttributeDefinition): void {
  if (!definition.subAttributes) return;
  SUB_ATTRIBUTES.set(definition, new Map(definition.subAttributes.map((s) => [s.name.toLowerCase(), s])));
  for (const sub of definition.subAttributes) indexSubAttributes(sub);
}

/** A sub-attribute of a complex attribute by name, case-insensitively (`Value`, `PRIMARY`, `$Ref`). */
export function findSubAttribute(
  definition: AttributeDefinition,
  name: string,
): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  const indexed = SUB_ATTRIBUTES.get(definition);
  if (indexed) return indexed.get(lower);
  return definition.subAttributes?.find((s) => s.name.toLowerCase() === lower);
}

function buildIndex(resourceType: ResourceTypeDefinition): ResourceTypeIndex {
  const core = schemaById(resourceType.schema);
  if (!core) throw new Error(`schema ${resourceType.schema} is not defined`);
  const extensions = resourceType.schemaExtensions.map((e) => {
    const definition = schemaById(e.schema);
    if (!definition) throw new Error(`schema ${e.schema} is not defined`);
    return definition;
  });

  const urns = new Map<string, SchemaUrnRole>();
  urns.set(core.id.toLowerCase(), { role: 'core', urn: core.id });
  urns.set(SCIM11_CORE_SCHEMA.toLowerCase(), { role: 'core', urn: core.id });
  for (const ext of extensions) {
    urns.set(ext.id.toLowerCase(), { role: 'extension', urn: ext.id, definition: ext });
    if (ext.id === ENTERPRISE_USER_SCHEMA) {
      urns.set(SCIM11_ENTERPRISE_SCHEMA.toLowerCase(), { role: 'extension', urn: ext.id, definition: ext });
    }
  }
  if (resourceType.id === 'Group')
    urns.set(MS_GROUP_SCHEMA.toLowerCase(), { role: 'ignored', urn: MS_GROUP_SCHEMA });

  const coreAttributes = new Map<string, ResolvedAttribute>();
  for (const definition of [...COMMON_ATTRIBUTES, ...core.attributes]) {
    indexSubAttributes(definition);
    coreAttributes.set(
      definition.name.toLowerCase(),
      Object.freeze({ schema: core.id, extension: false, definition }),
    );
  }
  const extensionAttributes = new Map<string, Map<string, ResolvedAttribute>>();
  const unqualifiedExtensionAttributes = new Map<string, ResolvedAttribute>();
  for (const ext of extensions) {
    const byName = new Map<string, ResolvedAttribute>();
    for (const definition of ext.attributes) {
      indexSubAttributes(definition);
      const resolved: ResolvedAttribute = Object.freeze({ schema: ext.id, extension: true, definition });
      const lower = definition.name.toLowerCase();
      byName.set(lower, resolved);
      if (!coreAttributes.has(lower) && !unqualifiedExtensionAttributes.has(lower)) {
        unqualifiedExtensionAttributes.set(lower, resolved);
      }
    }
    extensionAttributes.set(ext.id.toLowerCase(), byName);
  }

  const resolver: AttributeResolver = (schema, name) => {
    const lower = name.toLowerCase();
    if (schema === undefined) return coreAttributes.get(lower) ?? unqualifiedExtensionAttributes.get(lower);
    const role = urns.get(schema.toLowerCase());
    if (!role) return undefined;
    if (role.role === 'core') return coreAttributes.get(lower);
    if (role.role === 'extension') return extensionAttributes.get(role.urn.toLowerCase())?.get(lower);
    return undefined;
  };

  return {
    resourceType,
    core,
    extensions,
    urns,
    coreAttributes,
    extensionAttributes,
    unqualifiedExtensionAttributes,
    resolver,
  };
}

const INDEXES: Readonly<Record<ResourceTypeId, ResourceTypeIndex>> = {
  User: buildIndex(RESOURCE_TYPES.User),
  Group: buildIndex(RESOURCE_TYPES.Group),
};

/**
 * The attribute resolver of a resource type. Case-insensitive; accepts unqualified names (core, common, and — when
 * no core attribute has the same name — extension attributes), the core URN (`urn:ietf:params:scim:schemas:core:2.0:User`
 * or SCIM 1.1 `urn:scim:schemas:core:1.0`) and extension URNs as `schema`.
 */
export function resolverFor(resourceType: ResourceTypeId): AttributeResolver {
  return INDEXES[resourceType].resolver;
}

/** The core schema of a resource type. */
export function coreSchemaFor(resourceType: ResourceTypeId): SchemaDefinition {
  return INDEXES[resourceType].core;
}

/** The extension schemas of a resource type (Enterprise User for User; none for Group). */
export function extensionSchemasFor(resourceType: ResourceTypeId): readonly SchemaDefinition[] {
  return INDEXES[resourceType].extensions;
}

/** Classifies a schema URN (any case, SCIM 1.1 aliases included) for a resource type; undefined when unknown. */
export function schemaUrnRole(resourceType: ResourceTypeId, urn: string): SchemaUrnRole | undefined {
  return INDEXES[resourceType].urns.get(urn.toLowerCase());
}

/** An attribute path split into schema URN prefix, attribute name and sub-attribute name (spelling kept). */
export interface SplitPath {
  schema?: string;
  attr: string;
  sub?: string;
}

const KNOWN_URNS: readonly string[] = [
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  SCIM11_CORE_SCHEMA,
  SCIM11_ENTERPRISE_SCHEMA,
  MS_GROUP_SCHEMA,
].map((u) => u.toLowerCase());

/**
 * Splits `name.givenName`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` or
 * `urn:ietf:params:scim:schemas:core:2.0:User:userName` into its parts. Known URNs are matched as prefixes (they
 * contain dots and colons themselves); another `urn:` path is split at its last colon. A bare known URN gives
 * `{ schema, attr: '' }`.
 */
export function splitAttributePath(path: string): SplitPath {
  const lower = path.toLowerCase();
  let schema: string | undefined;
  let rest = path;
  const known = KNOWN_URNS.find((u) => lower === u || lower.startsWith(`${u}:`));
  if (known !== undefined) {
    schema = path.slice(0, known.length);
    rest = path.slice(known.length + 1);
  } else if (lower.startsWith('urn:')) {
    const colon = path.lastIndexOf(':');
    schema = path.slice(0, colon);
    rest = path.slice(colon + 1);
  }
  const dot = rest.indexOf('.');
  const split: SplitPath = dot < 0 ? { attr: rest } : { attr: rest.slice(0, dot), sub: rest.slice(dot + 1) };
  if (schema !== undefined) split.schema = schema;
  return split;
}

/** A path resolved against a resource type: the top-level attribute and, for `a.b`, the sub-attribute. */
export interface ResolvedPath {
  attribute: ResolvedAttribute;
  sub?: AttributeDefinition;
}

/** Resolves a full attribute path (`emails.value`, `urn:…:enterprise:2.0:User:manager.value`); undefined if unknown. */
export function resolvePath(resourceType: ResourceTypeId, path: string): ResolvedPath | undefined {
  const split = splitAttributePath(path);
  const attribute = resolverFor(resourceType)(split.schema, split.attr);
  if (!attribute) return undefined;
  if (split.sub === undefined) return { attribute };
  const sub = findSubAttribute(attribute.definition, split.sub);
  return sub ? { attribute, sub } : undefined;
}
