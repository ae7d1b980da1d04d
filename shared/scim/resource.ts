/**
 * Input normalisation for POST and PUT bodies (RFC 7643/7644), reusable by PATCH for single values.
 *
 * Accepts what identity providers really send (see docs: idp-behaviour.md): attribute names in any case, URN-keyed
 * extension blocks in any case, SCIM 1.1 URNs, OneLogin's object-for-array, Entra's "True"/"False" strings and bare
 * manager string, `"$ref": null`, null values, `meta` and `id` echoed back. Rejects everything else with a ScimError:
 * unknown attributes and schemas, wrong types, missing required attributes, prototype-polluting keys, oversized values.
 *
 * Output objects are plain literals whose keys are only canonical names taken from the schema data, so no body key
 * ever becomes a property name of an output object. Values keep the format they were sent in (no trimming or
 * lower-casing); only types are coerced (`"True"` → true, `"42"` → 42 for integers, 42 → "42" for strings).
 */
import { ScimError } from './errors';
import {
  COMMON_ATTRIBUTES,
  coreSchemaFor,
  extensionSchemasFor,
  GROUP_SCHEMA_DEFINITION,
  type ResourceTypeId,
  resolverFor,
  schemaUrnRole,
  findSubAttribute,
  splitAttributePath,
} from './schemas';
import type { AttributeDefinition, ResolvedAttribute, ScimResource } from './types';

/** Longest accepted string value (characters). */
export const MAX_STRING_LENGTH = 16_384;
/** Most values accepted for one multi-valued attribute in one request. */
export const MAX_MULTI_VALUES = 1_000;
/** Most Group members accepted in one request body (larger groups are built with several PATCH requests). */
export const MAX_MEMBERS_PER_REQUEST = 10_000;
/** Deepest JSON nesting accepted anywhere in a body (the schemas need 4 levels; this only bounds the safety scan). */
export const MAX_BODY_DEPTH = 32;

export interface NormalizeOptions {
  mode: 'create' | 'replace';
  /** The id of the resource being replaced: an `id` in the body must equal it. */
  existingId?: string;
}

const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for keys that could reach an object prototype (`__proto__`, `constructor`, `prototype`, in any case). */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key.toLowerCase());
}

const GROUP_MEMBERS = GROUP_SCHEMA_DEFINITION.attributes.find((a) => a.name === 'members');

/** A client-written name made safe and short for an error detail (names only; values are never echoed). */
function quote(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `'${clean.length > 100 ? `${clean.slice(0, 100)}…` : clean}'`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Rejects any key named `__proto__`, `constructor` or `prototype` at any depth (400 invalidValue), and bodies nested
 * deeper than {@link MAX_BODY_DEPTH} (400 invalidSyntax). Iterative, so hostile nesting cannot overflow the stack.
 */
export function assertNoUnsafeKeys(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_BODY_DEPTH) throw ScimError.invalidSyntax('the request body is nested too deeply');
    if (Array.isArray(current)) {
      for (const item of current) stack.push([item, depth + 1]);
      continue;
    }
    for (const key of Object.keys(current)) {
      if (isUnsafeKey(key)) throw ScimError.invalidValue(`attribute name ${quote(key)} is not allowed`);
      stack.push([(current as Record<string, unknown>)[key], depth + 1]);
    }
  }
}

const INTEGER = /^[+-]?\d{1,15}$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/_\-=\s]*$/;

function coerceString(definition: AttributeDefinition, value: unknown, path: string): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (definition.type === 'string' && typeof value === 'number' && Number.isFinite(value))
    text = String(value);
  else
    throw ScimError.invalidValue(
      `attribute ${quote(path)} must be a ${definition.type === 'string' ? 'string' : definition.type}`,
    );
  if (text.length > MAX_STRING_LENGTH) {
    throw ScimError.invalidValue(`attribute ${quote(path)} is longer than ${MAX_STRING_LENGTH} characters`);
  }
  if (definition.type === 'binary' && !BASE64.test(text)) {
    throw ScimError.invalidValue(`attribute ${quote(path)} must be base64-encoded binary`);
  }
  if (definition.type === 'dateTime' && (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text)))) {
    throw ScimError.invalidValue(`attribute ${quote(path)} must be a dateTime such as 2026-01-31T12:00:00Z`);
  }
  return text;
}

function coerceBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw ScimError.invalidValue(`attribute ${quote(path)} must be a boolean`);
}

function coerceNumber(definition: AttributeDefinition, value: unknown, path: string): number {
  const integer = definition.type === 'integer';
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && (integer ? INTEGER : DECIMAL).test(value)) n = Number(value);
  if (n === undefined || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
    throw ScimError.invalidValue(
      `attribute ${quote(path)} must be ${integer ? 'an integer' : 'a decimal number'}`,
    );
  }
  return n;
}

function coerceComplex(definition: AttributeDefinition, value: unknown, path: string): unknown {
  let object: Record<string, unknown>;
  if (isPlainObject(value)) object = value;
  else if (
    (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
    findSubAttribute(definition, 'value')
  ) {
    // Entra's bare manager id ("manager": "271") and similar: a lone value means { value }.
    object = { value };
  } else throw ScimError.invalidValue(`attribute ${quote(path)} must be an object`);

  const out: Record<string, unknown> = {};
  const seen = new Set<AttributeDefinition>();
  for (const key of Object.keys(object)) {
    if (isUnsafeKey(key)) throw ScimError.invalidValue(`attribute name ${quote(key)} is not allowed`);
    const raw = object[key];
    // Null is absent (`"$ref": null`), even under a name we do not know.
    if (raw === null || raw === undefined) continue;
    const sub = findSubAttribute(definition, key);
    if (!sub) throw ScimError.invalidValue(`unknown attribute ${quote(`${path}.${key}`)}`);
    if (seen.has(sub))
      throw ScimError.invalidValue(`attribute ${quote(`${path}.${sub.name}`)} is given more than once`);
    seen.add(sub);
    // Read-only sub-attributes (manager.displayName, groups.*) are the server's to set: ignored on input.
    if (sub.mutability === 'readOnly') continue;
    const coerced = coerceValue(sub, raw, `${path}.${sub.name}`);
    if (coerced !== undefined) out[sub.name] = coerced;
  }
  if (definition === GROUP_MEMBERS && Object.keys(out).length > 0 && out.value === undefined) {
    throw ScimError.invalidValue(`attribute ${quote(`${path}.value`)} is required`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function coerceSingle(definition: AttributeDefinition, value: unknown, path: string): unknown {
  if (Array.isArray(value)) throw ScimError.invalidValue(`attribute ${quote(path)} must be a single value`);
  switch (definition.type) {
    case 'complex':
      return coerceComplex(definition, value, path);
    case 'boolean':
      return coerceBoolean(value, path);
    case 'integer':
    case 'decimal':
      return coerceNumber(definition, value, path);
    case 'string':
    case 'reference':
    case 'binary':
    case 'dateTime':
      return coerceString(definition, value, path);
  }
}

/**
 * Coerces and validates one attribute value against its definition (used by the normaliser and by PATCH).
 * `path` names the attribute in error details. Returns undefined for null / empty values (absent); a multi-valued
 * attribute always gives an array (a single object is wrapped: OneLogin's object-for-array), possibly empty.
 * Read-only sub-attributes are dropped. Throws 400 invalidValue with a detail naming the attribute.
 */
export function coerceValue(definition: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (!definition.multiValued) return coerceSingle(definition, value, path);
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const max = definition === GROUP_MEMBERS ? MAX_MEMBERS_PER_REQUEST : MAX_MULTI_VALUES;
  if (items.length > max)
    throw ScimError.invalidValue(`attribute ${quote(path)} has more than ${max} values`);
  const out: unknown[] = [];
  items.forEach((item, index) => {
    if (item === null || item === undefined) return;
    const coerced = coerceSingle(definition, item, `${path}[${index}]`);
    if (coerced !== undefined) out.push(coerced);
  });
  return out;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

function checkSchemas(resourceType: ResourceTypeId, raw: unknown): void {
  if (raw === null || raw === undefined) return;
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length > 16) throw ScimError.invalidValue("attribute 'schemas' lists too many schemas");
  for (const urn of list) {
    if (typeof urn !== 'string')
      throw ScimError.invalidValue("attribute 'schemas' must be an array of schema URNs");
    if (!schemaUrnRole(resourceType, urn)) {
      throw ScimError.invalidValue(`schema ${quote(urn)} is not supported for ${resourceType} resources`);
    }
  }
}

/**
 * Normalises a POST (`mode: 'create'`) or PUT (`mode: 'replace'`) body into a canonical resource: canonical
 * attribute names, coerced values, `schemas` set to the core URN plus the enterprise URN when that block has values.
 * Read-only attributes (`id`, `meta`, `groups`, `manager.displayName`) are ignored, except an `id` that differs from
 * `opts.existingId` in replace mode (400 mutability). Empty multi-valued attributes are omitted (RFC 7643 §2.4:
 * empty and absent both mean unassigned). The result has no `id` or `meta`: the caller assigns them.
 */
export function normalizeResource(
  resourceType: ResourceTypeId,
  body: unknown,
  opts: NormalizeOptions,
): ScimResource {
  if (!isPlainObject(body)) {
    throw ScimError.invalidSyntax(`the request body must be a JSON object representing a ${resourceType}`);
  }
  assertNoUnsafeKeys(body);
  const resolver = resolverFor(resourceType);
  const collected = new Map<AttributeDefinition, unknown>();

  const take = (resolved: ResolvedAttribute, raw: unknown, path: string): void => {
    if (raw === null || raw === undefined) return;
    const definition = resolved.definition;
    if (!resolved.extension && definition.name === 'id') {
      if (opts.mode === 'replace' && opts.existingId !== undefined && raw !== opts.existingId) {
        throw ScimError.mutability("attribute 'id' is read-only and does not match the id of the resource");
      }
      return;
    }
    if (definition.mutability === 'readOnly') return;
    if (collected.has(definition))
      throw ScimError.invalidValue(`attribute ${quote(path)} is given more than once`);
    collected.set(definition, coerceValue(definition, raw, path));
  };

  for (const key of Object.keys(body)) {
    const raw = body[key];
    if (key.toLowerCase() === 'schemas') {
      checkSchemas(resourceType, raw);
      continue;
    }
    // Null is absent (Entra skips nulls; others send them), even under a name we do not know.
    if (raw === null || raw === undefined) continue;
    const role = schemaUrnRole(resourceType, key);
    if (role) {
      // A block keyed by a schema URN: the extension (any case, SCIM 1.1 alias too) or, rarely, the core schema.
      if (role.role === 'ignored') {
        if (isPlainObject(raw) && Object.keys(raw).length === 0) continue;
        throw ScimError.invalidValue(`attributes of schema ${quote(role.urn)} are not supported`);
      }
      if (!isPlainObject(raw)) throw ScimError.invalidValue(`attribute ${quote(role.urn)} must be an object`);
      for (const name of Object.keys(raw)) {
        if (raw[name] === null || raw[name] === undefined) continue;
        const resolved = resolver(role.urn, name);
        if (!resolved) throw ScimError.invalidValue(`unknown attribute ${quote(`${role.urn}:${name}`)}`);
        take(
          resolved,
          raw[name],
          resolved.extension ? `${role.urn}:${resolved.definition.name}` : resolved.definition.name,
        );
      }
      continue;
    }
    if (key.toLowerCase().startsWith('urn:') && isPlainObject(raw)) {
      throw ScimError.invalidValue(
        `schema extension ${quote(key)} is not supported for ${resourceType} resources`,
      );
    }
    const split = splitAttributePath(key);
    if (split.schema !== undefined && !schemaUrnRole(resourceType, split.schema)) {
      throw ScimError.invalidValue(
        `schema ${quote(split.schema)} is not supported for ${resourceType} resources`,
      );
    }
    const resolved = split.sub === undefined ? resolver(split.schema, split.attr) : undefined;
    if (!resolved) throw ScimError.invalidValue(`unknown attribute ${quote(key)}`);
    take(
      resolved,
      raw,
      resolved.extension ? `${resolved.schema}:${resolved.definition.name}` : resolved.definition.name,
    );
  }

  const core = coreSchemaFor(resourceType);
  const schemas: string[] = [core.id];
  const out: ScimResource = { schemas };
  for (const definition of [...COMMON_ATTRIBUTES, ...core.attributes]) {
    const value = collected.get(definition);
    if (!isEmpty(value)) out[definition.name] = value;
  }
  for (const extension of extensionSchemasFor(resourceType)) {
    const block: Record<string, unknown> = {};
    for (const definition of extension.attributes) {
      const value = collected.get(definition);
      if (!isEmpty(value)) block[definition.name] = value;
    }
    if (Object.keys(block).length > 0) {
      out[extension.id] = block;
      schemas.push(extension.id);
    }
  }

  for (const definition of core.attributes) {
    if (!definition.required) continue;
    const value = out[definition.name];
    if (value === undefined) throw ScimError.invalidValue(`attribute '${definition.name}' is required`);
    if (value === '') throw ScimError.invalidValue(`attribute '${definition.name}' must not be empty`);
  }
  return out;
}
