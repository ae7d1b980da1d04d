/**
 * Discovery documents (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes and /Schemas, built from the schema data.
 * Pure functions of a base URL (the tenant's SCIM root, e.g. `https://scim.example.com/t/acme/scim/v2`).
 */
import { ScimError } from '../errors';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from '../types';
import {
  LIST_RESPONSE_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  RESOURCE_TYPES,
  SCHEMA_DEFINITIONS,
  SCHEMA_SCHEMA,
  schemaById,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
} from './index';

/** The most resources one list or search response returns (`filter.maxResults`, RFC 9865 `maxPageSize`). */
export const FILTER_MAX_RESULTS = 1000;
/** Page size used when a list request carries no `count`. */
export const DEFAULT_PAGE_SIZE = 100;
/** Seconds a pagination cursor stays valid (RFC 9865 `cursorTimeout`). */
export const CURSOR_TIMEOUT_SECONDS = 3600;

export interface DiscoveryMeta {
  resourceType: 'ServiceProviderConfig' | 'ResourceType' | 'Schema';
  location: string;
}

export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: T[];
}

export interface AuthenticationScheme {
  type: 'oauthbearertoken' | 'httpbasic';
  name: string;
  description: string;
  specUri: string;
  primary: boolean;
}

export interface ServiceProviderConfigDocument {
  schemas: [typeof SERVICE_PROVIDER_CONFIG_SCHEMA];
  patch: { supported: boolean };
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  changePassword: { supported: boolean };
  sort: { supported: boolean };
  etag: { supported: boolean };
  /** RFC 9865 (cursor-based pagination). */
  pagination: {
    cursor: boolean;
    index: boolean;
    defaultPaginationMethod: 'index' | 'cursor';
    defaultPageSize: number;
    maxPageSize: number;
    cursorTimeout: number;
  };
  authenticationSchemes: AuthenticationScheme[];
  meta: DiscoveryMeta;
}

export interface ResourceTypeDocument {
  schemas: [typeof RESOURCE_TYPE_SCHEMA];
  id: string;
  name: string;
  endpoint: string;
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
  meta: DiscoveryMeta;
}

/** An attribute as listed in /Schemas: every RFC 7643 §7 characteristic, in a stable key order. */
export interface AttributeDocument {
  name: string;
  type: AttributeDefinition['type'];
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: AttributeDefinition['mutability'];
  returned: AttributeDefinition['returned'];
  uniqueness: AttributeDefinition['uniqueness'];
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDocument[];
}

export interface SchemaDocument {
  schemas: [typeof SCHEMA_SCHEMA];
  id: string;
  name: string;
  description: string;
  attributes: AttributeDocument[];
  meta: DiscoveryMeta;
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

function listResponse<T>(resources: T[]): ListResponse<T> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

export function buildServiceProviderConfig(baseUrl: string): ServiceProviderConfigDocument {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: FILTER_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: DEFAULT_PAGE_SIZE,
      maxPageSize: FILTER_MAX_RESULTS,
      cursorTimeout: CURSOR_TIMEOUT_SECONDS,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'Authentication with an OAuth 2.0 bearer token (a long-lived secret token or a client-credentials access token).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
      {
        type: 'httpbasic',
        name: 'HTTP Basic',
        description: 'Authentication with HTTP Basic credentials.',
        specUri: 'https://www.rfc-editor.org/info/rfc7617',
        primary: false,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${trimBase(baseUrl)}/ServiceProviderConfig` },
  };
}

function resourceTypeDocument(baseUrl: string, rt: ResourceTypeDefinition): ResourceTypeDocument {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${trimBase(baseUrl)}/ResourceTypes/${rt.id}` },
  };
}

export function buildResourceTypeList(baseUrl: string): ListResponse<ResourceTypeDocument> {
  return listResponse(Object.values(RESOURCE_TYPES).map((rt) => resourceTypeDocument(baseUrl, rt)));
}

/** `/ResourceTypes/{id}` (id matched case-insensitively); 404 when unknown. */
export function buildResourceType(baseUrl: string, id: string): ResourceTypeDocument {
  const rt = Object.values(RESOURCE_TYPES).find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!rt) throw ScimError.notFound('resource type not found');
  return resourceTypeDocument(baseUrl, rt);
}

function attributeDocument(definition: AttributeDefinition): AttributeDocument {
  const doc: AttributeDocument = {
    name: definition.name,
    type: definition.type,
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
    caseExact: definition.caseExact,
    mutability: definition.mutability,
    returned: definition.returned,
    uniqueness: definition.uniqueness,
  };
  if (definition.canonicalValues) doc.canonicalValues = [...definition.canonicalValues];
  if (definition.referenceTypes) doc.referenceTypes = [...definition.referenceTypes];
  if (definition.subAttributes) doc.subAttributes = definition.subAttributes.map(attributeDocument);
  return doc;
}

function schemaDocument(baseUrl: string, schema: SchemaDefinition): SchemaDocument {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${trimBase(baseUrl)}/Schemas/${schema.id}` },
  };
}

export function buildSchemaList(baseUrl: string): ListResponse<SchemaDocument> {
  return listResponse(SCHEMA_DEFINITIONS.map((s) => schemaDocument(baseUrl, s)));
}

/** `/Schemas/{urn}` (URN matched case-insensitively); 404 when unknown. */
export function buildSchema(baseUrl: string, id: string): SchemaDocument {
  const schema = schemaById(id);
  if (!schema) throw ScimError.notFound('schema not found');
  return schemaDocument(baseUrl, schema);
}
