/**
 * The SCIM PATCH engine (RFC 7644 §3.5.2), written for what identity providers really send (docs: idp-behaviour.md).
 *
 * Pure: `parsePatchRequest` validates a PatchOp message, `applyPatch` applies its operations to a copy of the current
 * resource and returns the new resource, the Group membership changes and whether anything changed; every failure is
 * a thrown `ScimError`. Atomic: the input resource is never modified, and nothing is returned unless every operation
 * succeeded. The result is validated like a PUT body (`normalizeResource`), so required attributes and types hold.
 *
 * Leniency, all of it deliberate:
 *  - `op` in any case (`Add`, `Replace`, `Remove`), member names of the message and of operations in any case,
 *    attribute names in any case, `"True"`/`"False"` booleans (through `coerceValue`);
 *  - add/replace without a path: keys may be plain names, dotted (`name.givenName`), URN-qualified or URN-keyed blocks;
 *    the read-only `id` is accepted when it equals the resource's id (Okta's group rename);
 *  - a value path with no matching element upserts an element built from the filter's `eq` terms (Entra);
 *  - `null` or `""` as the value of a singular attribute or sub-attribute clears it (Microsoft's validator);
 *  - a bare value for a complex attribute with a `value` sub-attribute means `{ value }` (Entra's manager).
 *
 * Group `members` are never edited inside the resource: operations on them become {@link MemberChanges}, applied by
 * the caller to its membership store.
 */
import { isScimError, ScimError } from './errors';
import { parsePath, resolvePath, type AttrPath, type Filter } from './filter';
import {
  assertNoUnsafeKeys,
  coerceValue,
  isUnsafeKey,
  MAX_MEMBERS_PER_REQUEST,
  MAX_MULTI_VALUES,
  normalizeResource,
} from './resource';
import {
  findSubAttribute,
  resolverFor,
  schemaUrnRole,
  type ResourceTypeId,
  type SchemaUrnRole,
} from './schemas';
import type { AttributeDefinition, AttributeResolver, ResolvedAttribute, ScimResource } from './types';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Most operations accepted in one PATCH request. */
export const MAX_PATCH_OPERATIONS = 1_000;

export type PatchOpName = 'add' | 'replace' | 'remove';

/** One validated operation: `op` lower-cased, `path` trimmed (absent when empty), `value` a safe deep copy. */
export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

export interface MemberRef {
  value: string;
  type?: 'User' | 'Group';
  display?: string;
}

/**
 * Membership changes of a Group PATCH, in effect after the request. With `replaceAll` the member list becomes exactly
 * that list (`add` and `remove` are then empty); otherwise `add` then `remove` are applied (no id is in both).
 */
export interface MemberChanges {
  add: MemberRef[];
  remove: string[];
  replaceAll?: MemberRef[];
}

export interface PatchResult {
  /** The new resource, normalised like a PUT body, with `id` and `meta` (and other read-only attributes) kept. */
  resource: ScimResource;
  members: MemberChanges;
  /** False when the request changes nothing: the resource deep-equals the current one and there are no member changes. */
  changed: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing the PatchOp message

const OP_NAMES: ReadonlySet<string> = new Set<PatchOpName>(['add', 'replace', 'remove']);

/**
 * Validates a PatchOp message: `schemas` must be `["urn:ietf:params:scim:api:messages:2.0:PatchOp"]` (any case) and
 * `Operations` (any case) a non-empty array of at most {@link MAX_PATCH_OPERATIONS} operations. Other members of the
 * message or of an operation are ignored, except prototype-polluting names, which are rejected anywhere.
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isRecord(body)) {
    throw ScimError.invalidSyntax('the PATCH body must be a JSON object with "schemas" and "Operations"');
  }
  assertNoUnsafeKeys(body);
  const schemas = memberOf(body, 'schemas');
  const operations = memberOf(body, 'operations');
  checkPatchSchemas(schemas);
  if (operations === undefined) {
    throw ScimError.invalidSyntax('the PatchOp message has no "Operations" array');
  }
  return parseOperations(operations);
}

function checkPatchSchemas(schemas: unknown): void {
  const expected = `"schemas" must be ["${PATCH_OP_SCHEMA}"]`;
  if (schemas === undefined) {
    throw ScimError.invalidSyntax(`the PatchOp message has no "schemas": ${expected}`);
  }
  if (!Array.isArray(schemas) || schemas.length === 0) throw ScimError.invalidSyntax(expected);
  for (const urn of schemas) {
    if (typeof urn !== 'string' || urn.toLowerCase() !== PATCH_OP_SCHEMA.toLowerCase()) {
      throw ScimError.invalidSyntax(expected);
    }
  }
}

function parseOperations(operations: unknown): PatchOperation[] {
  if (!Array.isArray(operations)) {
    throw ScimError.invalidSyntax('"Operations" must be an array of operations');
  }
  if (operations.length === 0) {
    throw ScimError.invalidValue('"Operations" must contain at least one operation');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw ScimError.invalidValue(
      `"Operations" holds ${operations.length} operations; at most ${MAX_PATCH_OPERATIONS} are accepted in one request`,
    );
  }
  return operations.map((raw: unknown, index) => parseOperation(raw, index));
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isRecord(raw)) {
    throw ScimError.invalidSyntax(`${where} must be an object with "op", "path" and "value"`);
  }
  assertNoUnsafeKeys(raw);
  const opRaw = memberOf(raw, 'op');
  const pathRaw = memberOf(raw, 'path');
  const valueRaw = memberOf(raw, 'value');
  const hasValue = valueRaw !== undefined;

  if (typeof opRaw !== 'string') {
    throw ScimError.invalidSyntax(`${where}.op is required and must be "add", "remove" or "replace"`);
  }
  const op = opRaw.trim().toLowerCase();
  if (!OP_NAMES.has(op)) {
    throw ScimError.invalidSyntax(
      `${where}.op ${quote(opRaw)} is not supported: use "add", "remove" or "replace"`,
    );
  }
  const name = op as PatchOpName;

  let path: string | undefined;
  if (pathRaw !== undefined && pathRaw !== null) {
    if (typeof pathRaw !== 'string') throw ScimError.invalidPath(`${where}.path must be a string`);
    if (pathRaw.trim() !== '') path = pathRaw.trim();
  }
  if (path !== undefined && !isSchemaUrnPath(path)) {
    withContext(`${where}.path`, () => parsePath(path));
  }

  if (name === 'remove' && path === undefined) {
    throw ScimError.noTarget(`${where}: "remove" needs a "path" naming the attribute to remove`);
  }
  if (name !== 'remove' && !hasValue) throw ScimError.invalidSyntax(`${where}: "${name}" needs a "value"`);
  if (name !== 'remove' && path === undefined && !isRecord(valueRaw)) {
    throw ScimError.invalidValue(
      `${where}: "${name}" without "path" needs an object "value" whose members are the attributes to set`,
    );
  }

  const operation: PatchOperation = { op: name };
  if (path !== undefined) operation.path = path;
  if (hasValue) operation.value = cloneJson(valueRaw, `${where}.value`);
  return operation;
}

/** A bare schema URN as a path (`urn:…:enterprise:2.0:User`): the whole extension block is the target. */
function isSchemaUrnPath(path: string): boolean {
  return schemaUrnRole('User', path) !== undefined || schemaUrnRole('Group', path) !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Applying operations

interface Context {
  resourceType: ResourceTypeId;
  resolver: AttributeResolver;
  /** The working copy: a deep copy of the current resource, without `members`. */
  resource: Record<string, unknown>;
  members: MemberAccumulator;
}

/** A resolved attribute path: the attribute, the sub-attribute and the value filter (compiled for elements). */
interface Target {
  attribute: ResolvedAttribute;
  sub: AttributeDefinition | undefined;
  filter: Filter | undefined;
  matchElement: ((element: unknown) => boolean) | undefined;
  /** Canonical label for error details: `emails.value`, `urn:…:User:manager`. */
  label: string;
}

/**
 * Applies `operations` (validated again here, so raw input is safe too) to a copy of `current`. Throws a ScimError
 * for the first operation that fails, naming it (`Operations[2]: …`); `current` is never modified.
 */
export function applyPatch(
  resourceType: ResourceTypeId,
  current: ScimResource,
  operations: PatchOperation[],
): PatchResult {
  const validated = parseOperations(operations);
  const existingId = typeof current.id === 'string' ? current.id : undefined;
  const resource = cloneJson(current, 'the current resource') as Record<string, unknown>;
  if (resourceType === 'Group') delete resource.members;
  const context: Context = {
    resourceType,
    resolver: resolverFor(resourceType),
    resource,
    members: new MemberAccumulator(),
  };

  validated.forEach((operation, index) => {
    withContext(`Operations[${index}]`, () => applyOperation(context, operation));
  });

  const normalized = normalizeResource(resourceType, context.resource, { mode: 'replace', existingId });
  const result = withReadOnlyAttributes(context, current, normalized);
  const members = context.members.changes();
  const before = cloneJson(current, 'the current resource') as Record<string, unknown>;
  if (resourceType === 'Group') delete before.members;
  const changed = !deepEqual(before, result) || context.members.hasChanges();
  return { resource: result, members, changed };
}

/** normalizeResource drops read-only attributes (id, meta, groups): they are the server's, so they are kept as they were. */
function withReadOnlyAttributes(
  context: Context,
  current: ScimResource,
  normalized: ScimResource,
): ScimResource {
  const result: ScimResource = {};
  const readOnly = Object.keys(current).filter((key) => {
    const resolved = context.resolver(undefined, key);
    return resolved !== undefined && !resolved.extension && resolved.definition.mutability === 'readOnly';
  });
  const kept = (key: string): void => setOwn(result, key, cloneJson(current[key], key));
  if (normalized.schemas !== undefined) setOwn(result, 'schemas', normalized.schemas);
  if (readOnly.includes('id')) kept('id');
  for (const key of Object.keys(normalized)) if (key !== 'schemas') setOwn(result, key, normalized[key]);
  for (const key of readOnly) if (key !== 'id') kept(key);
  return result;
}

function applyOperation(context: Context, operation: PatchOperation): void {
  const hasValue = Object.hasOwn(operation, 'value');
  if (operation.path === undefined) {
    // parseOperation guarantees an object value for add/replace without a path.
    applyAttributeSet(context, operation.op, operation.value as Record<string, unknown>, undefined);
    return;
  }
  const role = schemaUrnRole(context.resourceType, operation.path);
  if (role !== undefined) {
    applySchemaBlock(context, operation.op, role, operation.value, hasValue);
    return;
  }
  applyPath(context, operation.op, parsePath(operation.path), operation.value, hasValue);
}

/**
 * add/replace without a path (or with a schema URN path): every member of `value` is applied as if it were a path,
 * so `displayName`, `name.givenName`, `urn:…:User:employeeNumber` and URN-keyed blocks all work, in any case.
 */
function applyAttributeSet(
  context: Context,
  op: PatchOpName,
  value: Record<string, unknown>,
  schema: string | undefined,
): void {
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (schema === undefined && key.toLowerCase() === 'schemas') continue; // the message's business, not an attribute
    const role = schema === undefined ? schemaUrnRole(context.resourceType, key) : undefined;
    if (role !== undefined) {
      withContext(`value member ${quote(key)}`, () => applySchemaBlock(context, op, role, member, true));
      continue;
    }
    withContext(`value member ${quote(key)}`, () => {
      if (schema === undefined) {
        applyPath(context, op, parsePath(key), member, true);
        return;
      }
      // Inside a schema block the path (the URN) is valid: a member it does not define is a wrong-shaped value,
      // 400 invalidValue as in a POST body, not invalidPath.
      try {
        applyPath(context, op, parsePath(`${schema}:${key}`), member, true);
      } catch (error) {
        if (isScimError(error) && error.scimType === 'invalidPath')
          throw ScimError.invalidValue(error.message);
        throw error;
      }
    });
  }
}

/** An operation whose path is a schema URN, or a URN-keyed block in a path-less value. */
function applySchemaBlock(
  context: Context,
  op: PatchOpName,
  role: SchemaUrnRole,
  value: unknown,
  hasValue: boolean,
): void {
  if (role.role === 'ignored') return; // Entra's extra Group schema carries nothing
  if (op === 'remove' || (hasValue && isEmptyValue(value))) {
    if (role.role === 'core') {
      throw ScimError.mutability(`the core schema ${quote(role.urn)} cannot be removed`);
    }
    if (op !== 'remove' && op !== 'replace') return; // add of nothing
    for (const definition of role.definition.attributes) {
      if (definition.required) {
        throw ScimError.mutability(`attribute '${definition.name}' is required and cannot be removed`);
      }
    }
    delete context.resource[role.urn];
    return;
  }
  if (!isRecord(value)) {
    throw ScimError.invalidValue(`the value for schema ${quote(role.urn)} must be an object`);
  }
  applyAttributeSet(context, op, value, role.urn);
}

function applyPath(
  context: Context,
  op: PatchOpName,
  path: AttrPath,
  value: unknown,
  hasValue: boolean,
): void {
  const top = context.resolver(path.schema, path.attr);
  if (
    context.resourceType === 'Group' &&
    top !== undefined &&
    !top.extension &&
    top.definition.name === 'members'
  ) {
    applyMembers(context, op, path, value, hasValue);
    return;
  }
  const resolved = resolvePath(path, context.resolver, (detail) => ScimError.invalidPath(detail));
  const attribute = resolved.attribute;
  const definition = attribute.definition;
  const head = attribute.extension ? `${attribute.schema}:${definition.name}` : definition.name;
  const target: Target = {
    attribute,
    sub: resolved.sub,
    filter: path.valueFilter,
    matchElement: resolved.matchElement,
    label: resolved.sub === undefined ? head : `${head}.${resolved.sub.name}`,
  };
  if (path.valueFilter !== undefined && !definition.multiValued) {
    throw ScimError.invalidPath(`'${definition.name}' is single-valued, so it cannot take a value filter`);
  }
  checkMutability(context, op, target, value);

  if (target.matchElement !== undefined) applyFiltered(context, op, target, value);
  else if (target.sub !== undefined) applySub(context, op, target, value);
  else applyWhole(context, op, target, value, hasValue);
}

/**
 * RFC 7644 §3.5.2: a client must not modify readOnly attributes, nor change immutable ones once set, nor remove
 * required ones. An `id` equal to the resource's own id is accepted and changes nothing (Okta echoes it).
 */
function checkMutability(context: Context, op: PatchOpName, target: Target, value: unknown): void {
  const definition = target.attribute.definition;
  if (definition.mutability === 'readOnly') {
    const current = readAttribute(context, target.attribute);
    const same =
      op !== 'remove' &&
      target.sub === undefined &&
      target.filter === undefined &&
      !definition.multiValued &&
      definition.type !== 'complex' &&
      current !== undefined &&
      deepEqual(coerceValue(definition, value, target.label), current);
    if (same) return;
    const hint = definition.name === 'id' ? "; it may only repeat the resource's own id" : '';
    throw ScimError.mutability(`attribute '${target.label}' is read-only${hint}`);
  }
  if (target.sub?.mutability === 'readOnly') {
    throw ScimError.mutability(`attribute '${target.label}' is read-only`);
  }
  if (op === 'remove' && target.sub === undefined && target.filter === undefined) {
    if (definition.required) {
      throw ScimError.mutability(`attribute '${target.label}' is required and cannot be removed`);
    }
  } else if (
    op !== 'remove' &&
    target.sub === undefined &&
    target.filter === undefined &&
    isEmptyValue(value)
  ) {
    if (definition.required) {
      throw ScimError.invalidValue(
        `attribute '${target.label}' is required and cannot be set to an empty value`,
      );
    }
  }
  if (definition.mutability === 'immutable' && readAttribute(context, target.attribute) !== undefined) {
    throw ScimError.mutability(`attribute '${target.label}' is immutable and already has a value`);
  }
}

// --- whole attribute: `displayName`, `name`, `emails`, `urn:…:User:manager` ---------------------------------------

function applyWhole(
  context: Context,
  op: PatchOpName,
  target: Target,
  value: unknown,
  hasValue: boolean,
): void {
  const { attribute, label } = target;
  const definition = attribute.definition;
  if (op === 'remove') {
    if (hasValue && value !== null && definition.multiValued && definition.type === 'complex') {
      removeListedValues(context, target, value);
    } else {
      writeAttribute(context, attribute, undefined);
    }
    return;
  }

  if (definition.multiValued) {
    if (isEmptyValue(value) || (Array.isArray(value) && value.length === 0)) {
      if (op === 'replace') writeAttribute(context, attribute, undefined);
      return;
    }
    const items: unknown[] = Array.isArray(value) ? value : [value];
    if (items.length > MAX_MULTI_VALUES) {
      throw ScimError.invalidValue(`attribute '${label}' has more than ${MAX_MULTI_VALUES} values`);
    }
    const incoming = items
      .map((item, index) => coerceElement(definition, item, `${label}[${index}]`))
      .filter((item): item is unknown => item !== undefined);
    const list: unknown[] = op === 'replace' ? [] : currentList(context, attribute);
    let preferred: unknown;
    for (const item of incoming) {
      if (isRecord(item) && item.primary === true) preferred = item;
      if (!list.some((existing) => deepEqual(existing, item))) list.push(item);
    }
    writeList(context, target, list, preferred);
    return;
  }

  if (isEmptyValue(value)) {
    writeAttribute(context, attribute, undefined);
    return;
  }
  if (definition.type === 'complex') {
    const existing = readAttribute(context, attribute);
    const merged = mergeComplex(definition, isRecord(existing) ? existing : undefined, value, label);
    writeAttribute(context, attribute, merged);
    return;
  }
  writeAttribute(context, attribute, coerceValue(definition, value, label));
}

/** `remove` of a multi-valued attribute with a value list: removes the elements that match one of the listed values. */
function removeListedValues(context: Context, target: Target, value: unknown): void {
  const definition = target.attribute.definition;
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const patterns = items
    .map((item, index) => coerceElement(definition, item, `${target.label}[${index}]`))
    .filter(isRecord);
  const list = currentList(context, target.attribute).filter(
    (element) =>
      !patterns.some(
        (pattern) =>
          isRecord(element) &&
          Object.keys(pattern).every((key) =>
            sameValue(findSubAttribute(definition, key), element[key], pattern[key]),
          ),
      ),
  );
  writeList(context, target, list, undefined);
}

// --- sub-attribute without a filter: `name.givenName`, `urn:…:User:manager.value`, `emails.display` -------------

function applySub(context: Context, op: PatchOpName, target: Target, value: unknown): void {
  const { attribute, label } = target;
  const definition = attribute.definition;
  const sub = target.sub as AttributeDefinition;
  const clear = op === 'remove' || isEmptyValue(value);
  const coerced = clear ? undefined : coerceValue(sub, value, label);

  if (!definition.multiValued) {
    const existing = readAttribute(context, attribute);
    const object = isRecord(existing) ? cloneRecord(existing) : {};
    setSubValue(definition, object, sub, coerced, label);
    writeAttribute(context, attribute, finishComplex(definition, object));
    return;
  }
  const list = currentList(context, attribute);
  if (list.length === 0 && coerced !== undefined) list.push(record(sub.name, coerced));
  for (const element of list) if (isRecord(element)) setSubValue(definition, element, sub, coerced, label);
  writeList(
    context,
    target,
    list,
    sub.name === 'primary' && coerced === true ? list[list.length - 1] : undefined,
  );
}

// --- value path: `emails[type eq "work"]`, `emails[type eq "work"].value` ----------------------------------------

function applyFiltered(context: Context, op: PatchOpName, target: Target, value: unknown): void {
  const { attribute, label, sub } = target;
  const definition = attribute.definition;
  const matches = target.matchElement as (element: unknown) => boolean;
  let list = currentList(context, attribute);
  const matched = list.filter(matches);
  let preferred: unknown;

  if (op === 'remove') {
    if (sub === undefined) {
      list = list.filter((element) => !matches(element));
    } else {
      for (const element of matched) {
        setSubValue(definition, element as Record<string, unknown>, sub, undefined, label);
      }
    }
  } else if (sub !== undefined) {
    const coerced = isEmptyValue(value) ? undefined : coerceValue(sub, value, label);
    if (coerced !== undefined && matched.length === 0) {
      const element = elementFromFilter(definition, target.filter as Filter, label);
      setSubValue(definition, element, sub, coerced, label);
      list.push(element);
      matched.push(element);
    } else {
      for (const element of matched) {
        setSubValue(definition, element as Record<string, unknown>, sub, coerced, label);
      }
    }
    if (sub.name === 'primary' && coerced === true) preferred = matched[matched.length - 1];
    else preferred = matched.find((element) => isRecord(element) && element.primary === true);
  } else if (isEmptyValue(value)) {
    if (op === 'replace') list = list.filter((element) => !matches(element));
  } else {
    if (matched.length === 0) {
      const element = elementFromFilter(definition, target.filter as Filter, label);
      list.push(element);
      matched.push(element);
    }
    const updated = matched.map((element) =>
      mergeComplex(definition, element as Record<string, unknown>, value, label),
    );
    list = list.map((element) => {
      const index = matched.indexOf(element);
      return index < 0 ? element : updated[index];
    });
    preferred = updated.find((element) => isRecord(element) && element.primary === true);
  }
  writeList(context, target, list, preferred);
}

/**
 * The element an upsert creates when no element matches the value filter: the filter's `eq` terms joined by `and`
 * (`type eq "work"` → `{ type: "work" }`). Any other filter cannot describe a new element: 400 noTarget.
 */
function elementFromFilter(
  definition: AttributeDefinition,
  filter: Filter,
  label: string,
): Record<string, unknown> {
  const element: Record<string, unknown> = {};
  const collect = (term: Filter): void => {
    if (term.kind === 'and') {
      collect(term.left);
      collect(term.right);
      return;
    }
    const sub =
      term.kind === 'compare' &&
      term.op === 'eq' &&
      term.value !== null &&
      term.path.schema === undefined &&
      term.path.sub === undefined &&
      term.path.valueFilter === undefined
        ? findSubAttribute(definition, term.path.attr)
        : undefined;
    if (term.kind !== 'compare' || sub === undefined || sub.mutability === 'readOnly') {
      throw ScimError.noTarget(
        `no value of '${definition.name}' matches the filter, and a new one can only be created from "eq" terms joined by "and"`,
      );
    }
    const coerced = coerceValue(sub, term.value, `${label}.${sub.name}`);
    if (Object.hasOwn(element, sub.name) && !deepEqual(element[sub.name], coerced)) {
      throw ScimError.noTarget(`the filter on '${definition.name}' gives '${sub.name}' two different values`);
    }
    setOwn(element, sub.name, coerced);
  };
  collect(filter);
  return element;
}

// --- values ---------------------------------------------------------------------------------------------------

/**
 * Merges a complex value into `existing` (RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged); a `null`
 * or `""` sub-attribute clears it. When the `value` sub-attribute of a reference-like attribute (manager) changes,
 * the other sub-attributes described the old target and are dropped. Returns undefined when nothing is left.
 */
function mergeComplex(
  definition: AttributeDefinition,
  existing: Record<string, unknown> | undefined,
  value: unknown,
  label: string,
): Record<string, unknown> | undefined {
  const { set, clear } = complexParts(definition, value, label);
  const changesValue =
    !definition.multiValued &&
    Object.hasOwn(set, 'value') &&
    existing !== undefined &&
    !deepEqual(existing.value, set.value);
  const object = existing === undefined || changesValue ? {} : cloneRecord(existing);
  for (const name of clear) delete object[name];
  for (const name of Object.keys(set)) setOwn(object, name, set[name]);
  return finishComplex(definition, object);
}

/** Splits a complex value into coerced sub-attributes to set and names to clear (null or ""). */
function complexParts(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
): { set: Record<string, unknown>; clear: string[] } {
  let object: Record<string, unknown>;
  if (isRecord(value)) object = value;
  else if (isScalar(value) && findSubAttribute(definition, 'value') !== undefined) object = { value };
  else throw ScimError.invalidValue(`attribute '${label}' must be an object`);
  const set: Record<string, unknown> = {};
  const clear: string[] = [];
  for (const key of Object.keys(object)) {
    const sub = findSubAttribute(definition, key);
    if (sub === undefined) throw ScimError.invalidValue(`unknown attribute ${quote(`${label}.${key}`)}`);
    if (Object.hasOwn(set, sub.name) || clear.includes(sub.name)) {
      throw ScimError.invalidValue(`attribute '${label}.${sub.name}' is given more than once`);
    }
    if (sub.mutability === 'readOnly') continue; // server-computed (manager.displayName): ignored, as in a PUT
    const raw = object[key];
    if (isEmptyValue(raw)) clear.push(sub.name);
    else setOwn(set, sub.name, coerceValue(sub, raw, `${label}.${sub.name}`));
  }
  return { set, clear };
}

/** One element of a multi-valued attribute, coerced; undefined when it carries nothing. */
function coerceElement(definition: AttributeDefinition, item: unknown, label: string): unknown {
  if (item === null || item === undefined) return undefined;
  if (Array.isArray(item)) throw ScimError.invalidValue(`attribute '${label}' must be a single value`);
  if (definition.type !== 'complex') {
    const coerced = coerceValue(definition, [item], label);
    return Array.isArray(coerced) ? coerced[0] : undefined;
  }
  const { set } = complexParts(definition, item, label);
  return isMeaningfulElement(definition, set) ? set : undefined;
}

/** Sets (or, with undefined, clears) a sub-attribute of one complex object, honouring immutability. */
function setSubValue(
  definition: AttributeDefinition,
  object: Record<string, unknown>,
  sub: AttributeDefinition,
  value: unknown,
  label: string,
): void {
  const existing = object[sub.name];
  if (sub.mutability === 'immutable' && existing !== undefined && !deepEqual(existing, value)) {
    throw ScimError.mutability(`attribute '${label}' is immutable and already has a value`);
  }
  if (
    sub.name === 'value' &&
    !definition.multiValued &&
    existing !== undefined &&
    !deepEqual(existing, value)
  ) {
    // manager.value changed: its $ref and displayName described the previous manager
    for (const key of Object.keys(object)) if (key !== 'value') delete object[key];
  }
  if (value === undefined) delete object[sub.name];
  else setOwn(object, sub.name, value);
}

/** A singular complex value with nothing left, or a reference (manager) without its `value`, is removed. */
function finishComplex(
  definition: AttributeDefinition,
  object: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (Object.keys(object).length === 0) return undefined;
  if (findSubAttribute(definition, 'value') !== undefined && !isPresentValue(object.value)) return undefined;
  return object;
}

/**
 * Whether an element of a multi-valued complex attribute says anything: it needs its `value` when the attribute has
 * one (an email without an address is dropped), and something beyond `type`/`primary`/`display` otherwise.
 */
function isMeaningfulElement(definition: AttributeDefinition, element: Record<string, unknown>): boolean {
  if (findSubAttribute(definition, 'value') !== undefined) return isPresentValue(element.value);
  return Object.keys(element).some((key) => key !== 'type' && key !== 'primary' && key !== 'display');
}

/** Writes a multi-valued attribute: drops empty elements, keeps one `primary: true` (the preferred one), dedupes. */
function writeList(context: Context, target: Target, list: unknown[], preferred: unknown): void {
  const definition = target.attribute.definition;
  const cleaned: unknown[] = [];
  for (const element of list) {
    if (definition.type === 'complex' && (!isRecord(element) || !isMeaningfulElement(definition, element))) {
      continue;
    }
    if (!cleaned.some((existing) => deepEqual(existing, element))) cleaned.push(element);
  }
  if (findSubAttribute(definition, 'primary') !== undefined) {
    const primaries = cleaned.filter((element) => isRecord(element) && element.primary === true);
    if (primaries.length > 1) {
      const keep = primaries.includes(preferred) ? preferred : primaries[primaries.length - 1];
      for (const element of primaries) {
        if (element !== keep) setOwn(element as Record<string, unknown>, 'primary', false);
      }
    }
  }
  writeAttribute(context, target.attribute, cleaned.length === 0 ? undefined : cleaned);
}

function readAttribute(context: Context, attribute: ResolvedAttribute): unknown {
  const container = attribute.extension ? ownValue(context.resource, attribute.schema) : context.resource;
  return isRecord(container) ? ownValue(container, attribute.definition.name) : undefined;
}

/** A deep copy of the current values of a multi-valued attribute (so edits never reach shared objects). */
function currentList(context: Context, attribute: ResolvedAttribute): unknown[] {
  const current = readAttribute(context, attribute);
  if (current === undefined || current === null) return [];
  return (Array.isArray(current) ? current : [current]).map((item) =>
    cloneJson(item, attribute.definition.name),
  );
}

/** Sets (or, with undefined, removes) an attribute in the working copy; extension blocks are created and dropped. */
function writeAttribute(context: Context, attribute: ResolvedAttribute, value: unknown): void {
  const name = attribute.definition.name;
  if (!attribute.extension) {
    if (value === undefined) delete context.resource[name];
    else setOwn(context.resource, name, value);
    return;
  }
  const existing = ownValue(context.resource, attribute.schema);
  const block = isRecord(existing) ? existing : {};
  if (value === undefined) delete block[name];
  else setOwn(block, name, value);
  if (Object.keys(block).length === 0) delete context.resource[attribute.schema];
  else setOwn(context.resource, attribute.schema, block);
}

// ---------------------------------------------------------------------------------------------------------------
// Group members

function applyMembers(
  context: Context,
  op: PatchOpName,
  path: AttrPath,
  value: unknown,
  hasValue: boolean,
): void {
  if (path.sub !== undefined) {
    throw ScimError.invalidPath(
      `'members.${path.sub}' cannot be patched: add, remove or replace whole members`,
    );
  }
  if (path.valueFilter !== undefined) {
    if (op !== 'remove') {
      throw ScimError.invalidPath(
        'a filter on members is only supported with "remove": use "add" with a value list',
      );
    }
    context.members.remove(memberIdsFromFilter(path.valueFilter));
    return;
  }
  if (op === 'add') {
    if (!isEmptyValue(value)) context.members.add(parseMemberRefs(value));
  } else if (op === 'replace') {
    context.members.replace(isEmptyValue(value) ? [] : parseMemberRefs(value));
  } else if (!hasValue || value === null) {
    context.members.replace([]); // `remove members`: every member goes
  } else {
    context.members.remove(parseMemberRefs(value).map((ref) => ref.value)); // Entra: remove with a value list
  }
}

/** `members[value eq "a"]`, `members[value eq "a" or value eq "b"]`: the ids to remove. */
function memberIdsFromFilter(filter: Filter): string[] {
  if (filter.kind === 'or') {
    return [...memberIdsFromFilter(filter.left), ...memberIdsFromFilter(filter.right)];
  }
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.schema === undefined &&
    filter.path.sub === undefined &&
    filter.path.valueFilter === undefined &&
    filter.path.attr.toLowerCase() === 'value' &&
    typeof filter.value === 'string' &&
    filter.value !== ''
  ) {
    return [filter.value];
  }
  throw ScimError.invalidFilter(
    'only "value eq" filters (optionally joined with "or") are supported for members, e.g. members[value eq "<id>"]',
  );
}

const MEMBER_TYPES: Readonly<Record<string, 'User' | 'Group'>> = { user: 'User', group: 'Group' };

/** A member value list (`[{ "value": "<id>", "$ref": null }]`, a single object or bare ids) as member references. */
function parseMemberRefs(value: unknown): MemberRef[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length > MAX_MEMBERS_PER_REQUEST) {
    throw ScimError.invalidValue(`at most ${MAX_MEMBERS_PER_REQUEST} members are accepted in one operation`);
  }
  const refs: MemberRef[] = [];
  items.forEach((item, index) => {
    const where = `members[${index}]`;
    if (item === null) return;
    if (typeof item === 'string') {
      if (item === '') throw ScimError.invalidValue(`${where} must be a member id`);
      refs.push({ value: item });
      return;
    }
    if (!isRecord(item)) {
      throw ScimError.invalidValue(`${where} must be an object such as { "value": "<id>" }`);
    }
    const id = memberOf(item, 'value');
    const type = memberOf(item, 'type');
    const display = memberOf(item, 'display');
    if (typeof id !== 'string' || id === '') {
      throw ScimError.invalidValue(`${where}.value must be the member's id (a non-empty string)`);
    }
    const ref: MemberRef = { value: id };
    if (type !== undefined && type !== null) {
      const canonical = typeof type === 'string' ? MEMBER_TYPES[type.toLowerCase()] : undefined;
      if (canonical === undefined) throw ScimError.invalidValue(`${where}.type must be "User" or "Group"`);
      ref.type = canonical;
    }
    if (display !== undefined && display !== null) {
      if (typeof display !== 'string') throw ScimError.invalidValue(`${where}.display must be a string`);
      ref.display = display;
    }
    refs.push(ref);
  });
  return refs;
}

/**
 * Folds the member operations of one request, in order: a later operation on an id overrides an earlier one (an
 * add followed by a remove of the same id leaves only the remove, which is a no-op for a non-member).
 */
class MemberAccumulator {
  private replaceAll: Map<string, MemberRef> | undefined;
  private readonly added = new Map<string, MemberRef>();
  private readonly removed = new Set<string>();

  add(refs: MemberRef[]): void {
    for (const ref of refs) {
      if (this.replaceAll !== undefined) {
        this.replaceAll.set(ref.value, ref);
      } else {
        this.removed.delete(ref.value);
        this.added.set(ref.value, ref);
      }
    }
    this.checkSize();
  }

  remove(ids: string[]): void {
    for (const id of ids) {
      if (this.replaceAll !== undefined) {
        this.replaceAll.delete(id);
      } else {
        this.added.delete(id);
        this.removed.add(id);
      }
    }
    this.checkSize();
  }

  replace(refs: MemberRef[]): void {
    this.replaceAll = new Map(refs.map((ref) => [ref.value, ref]));
    this.added.clear();
    this.removed.clear();
    this.checkSize();
  }

  hasChanges(): boolean {
    return this.replaceAll !== undefined || this.added.size > 0 || this.removed.size > 0;
  }

  changes(): MemberChanges {
    if (this.replaceAll !== undefined) {
      return { add: [], remove: [], replaceAll: [...this.replaceAll.values()] };
    }
    return { add: [...this.added.values()], remove: [...this.removed] };
  }

  private checkSize(): void {
    const size = (this.replaceAll?.size ?? 0) + this.added.size + this.removed.size;
    if (size > MAX_MEMBERS_PER_REQUEST) {
      throw ScimError.invalidValue(
        `at most ${MAX_MEMBERS_PER_REQUEST} member changes are accepted in one request`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small safe helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** `null` and `""` clear an attribute (RFC 7643 §2.5: null is unassigned; Microsoft's validator sends ""). */
function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function isPresentValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function sameValue(definition: AttributeDefinition | undefined, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && definition !== undefined && !definition.caseExact) {
    return a.toLowerCase() === b.toLowerCase();
  }
  return deepEqual(a, b);
}

/** Own-property read: never reaches the prototype chain. */
function ownValue(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The key of `object` equal to `name` ignoring case; two such keys are ambiguous (400 invalidSyntax). */
function findKey(object: Record<string, unknown>, name: string): string | undefined {
  const keys = Object.keys(object).filter((key) => key.toLowerCase() === name);
  if (keys.length > 1) {
    throw ScimError.invalidSyntax(`"${name}" is given more than once (${keys.map(quote).join(', ')})`);
  }
  return keys[0];
}

function memberOf(object: Record<string, unknown>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/** Defines an own, enumerable property: never invokes a setter such as `__proto__`, and refuses unsafe names. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (isUnsafeKey(key)) throw ScimError.invalidValue(`attribute name ${quote(key)} is not allowed`);
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function record(key: string, value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  setOwn(object, key, value);
  return object;
}

function cloneRecord(object: Record<string, unknown>): Record<string, unknown> {
  return cloneJson(object, 'value') as Record<string, unknown>;
}

/**
 * A deep copy of a JSON value built with own properties only. Rejects unsafe keys, non-JSON values and nesting
 * deeper than 32 levels (iteratively checked first by assertNoUnsafeKeys for request input).
 */
function cloneJson(value: unknown, label: string, depth = 0): unknown {
  if (depth > 32) throw ScimError.invalidSyntax(`${label} is nested too deeply`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw ScimError.invalidValue(`${label} holds a number that is not finite`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => cloneJson(item, label, depth + 1));
  if (isRecord(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item !== undefined) setOwn(copy, key, cloneJson(item, label, depth + 1));
    }
    return copy;
  }
  throw ScimError.invalidValue(`${label} holds a value that is not JSON`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

/** A client-written name, safe and short for an error detail. */
function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `'${clean.length > 100 ? `${clean.slice(0, 100)}…` : clean}'`;
}

/** Runs `body`, prefixing the detail of a ScimError it throws with `where` (status and scimType are kept). */
function withContext<T>(where: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (isScimError(error)) {
      throw new ScimError(error.status, `${where}: ${error.message}`, error.scimType, error.headers);
    }
    throw error;
  }
}
