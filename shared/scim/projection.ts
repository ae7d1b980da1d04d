/**
 * Output projection (RFC 7644 §3.9 `attributes` / `excludedAttributes`, RFC 7643 §7 `returned`).
 *
 * - `returned: never` (password) never leaves, whatever is asked;
 * - `returned: always` (id; and `schemas`, which is not an attribute) is always returned and cannot be excluded;
 * - `returned: default` (meta included) is returned unless excluded, or unless `attributes` is given and omits it;
 * - `returned: request` (User `groups`) is returned only when named in `attributes`.
 * When both parameters are given, `attributes` wins and `excludedAttributes` is ignored. Names are matched
 * case-insensitively; sub-attributes (`name.givenName`, `emails.value`) and URN-qualified names
 * (`urn:…:enterprise:2.0:User:department`, or the extension URN alone for the whole block) are supported; unknown
 * names are ignored. Only attributes known to the schemas are ever copied to the output.
 */
import {
  COMMON_ATTRIBUTES,
  coreSchemaFor,
  extensionSchemasFor,
  type ResourceTypeId,
  resolvePath,
  schemaUrnRole,
} from './schemas';
import type { AttributeDefinition, ScimResource } from './types';

export interface ProjectionParams {
  attributes?: string[];
  excludedAttributes?: string[];
}

/**
 * Splits an `attributes` / `excludedAttributes` query parameter: comma-separated, trimmed, empties dropped.
 * A value filter in a name (`emails[type eq "work"]`, sent by Microsoft's SCIM validator) names its attribute:
 * `emails[type eq "work"]` is `emails` and `emails[type eq "work"].value` is `emails.value`; the filter is not
 * applied (RFC 7644 §3.9 defines these parameters over attribute names only; docs/decisions/0011-what-we-accept.md).
 * Commas inside brackets or quotes do not split.
 */
export function parseAttributeList(param: string | undefined): string[] {
  if (param === undefined) return [];
  const names: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < param.length; i++) {
    const c = param[i] as string;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"' && depth > 0) quoted = true;
    else if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
    else if (depth === 0) {
      if (c === ',') {
        names.push(current);
        current = '';
      } else current += c;
    }
  }
  names.push(current);
  return names.map((name) => name.trim()).filter((name) => name.length > 0);
}

interface Selection {
  whole: boolean;
  subs: Set<string>;
}

interface ParsedParams {
  mode: 'include' | 'exclude';
  byAttribute: Map<AttributeDefinition, Selection>;
  /** canonical extension URNs named as a whole */
  blocks: Set<string>;
}

type Decision =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'only'; subs: Set<string> }
  | { kind: 'except'; subs: Set<string> };

function parseParams(resourceType: ResourceTypeId, params: ProjectionParams): ParsedParams {
  const include = params.attributes ?? [];
  const names = include.length > 0 ? include : (params.excludedAttributes ?? []);
  const parsed: ParsedParams = {
    mode: include.length > 0 ? 'include' : 'exclude',
    byAttribute: new Map(),
    blocks: new Set(),
  };
  for (const name of names) {
    const role = schemaUrnRole(resourceType, name);
    if (role) {
      if (role.role === 'extension') parsed.blocks.add(role.urn);
      continue;
    }
    const resolved = resolvePath(resourceType, name);
    if (!resolved) continue;
    const definition = resolved.attribute.definition;
    let selection = parsed.byAttribute.get(definition);
    if (!selection) {
      selection = { whole: false, subs: new Set() };
      parsed.byAttribute.set(definition, selection);
    }
    if (resolved.sub) selection.subs.add(resolved.sub.name);
    else selection.whole = true;
  }
  return parsed;
}

function decide(
  definition: AttributeDefinition,
  extension: string | undefined,
  parsed: ParsedParams,
): Decision {
  if (definition.returned === 'never') return { kind: 'none' };
  if (definition.returned === 'always') return { kind: 'all' };
  const selection = parsed.byAttribute.get(definition);
  const blockNamed = extension !== undefined && parsed.blocks.has(extension);
  if (parsed.mode === 'include') {
    if (selection?.whole) return { kind: 'all' };
    if (selection && selection.subs.size > 0) return { kind: 'only', subs: selection.subs };
    if (blockNamed && definition.returned !== 'request') return { kind: 'all' };
    return { kind: 'none' };
  }
  if (definition.returned === 'request' || blockNamed || selection?.whole) return { kind: 'none' };
  if (selection && selection.subs.size > 0) return { kind: 'except', subs: selection.subs };
  return { kind: 'all' };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function includeSub(sub: AttributeDefinition, decision: Decision): boolean {
  if (sub.returned === 'never') return false;
  if (sub.returned === 'always') return true;
  switch (decision.kind) {
    case 'none':
      return false;
    case 'all':
      return sub.returned !== 'request';
    case 'only':
      return decision.subs.has(sub.name);
    case 'except':
      return sub.returned !== 'request' && !decision.subs.has(sub.name);
  }
}

function projectComplex(definition: AttributeDefinition, value: unknown, decision: Decision): unknown {
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const sub of definition.subAttributes ?? []) {
    if (!Object.hasOwn(value, sub.name) || value[sub.name] === undefined) continue;
    if (includeSub(sub, decision)) out[sub.name] = value[sub.name];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function projectValue(definition: AttributeDefinition, value: unknown, decision: Decision): unknown {
  if (decision.kind === 'none' || value === undefined || value === null) return undefined;
  if (definition.type !== 'complex') return value;
  if (!definition.multiValued) return projectComplex(definition, value, decision);
  if (!Array.isArray(value)) return undefined;
  const items = value
    .map((item) => projectComplex(definition, item, decision))
    .filter((item) => item !== undefined);
  return items.length > 0 ? items : undefined;
}

function copyAttributes(
  definitions: readonly AttributeDefinition[],
  source: Record<string, unknown>,
  target: Record<string, unknown>,
  extension: string | undefined,
  parsed: ParsedParams,
): void {
  for (const definition of definitions) {
    if (!Object.hasOwn(source, definition.name)) continue;
    const projected = projectValue(
      definition,
      source[definition.name],
      decide(definition, extension, parsed),
    );
    if (projected !== undefined) target[definition.name] = projected;
  }
}

/** Projects a stored (canonical) resource for a response. Never returns `password`; always returns `id`, `schemas`. */
export function projectResource(
  resourceType: ResourceTypeId,
  resource: ScimResource,
  params: ProjectionParams = {},
): ScimResource {
  const parsed = parseParams(resourceType, params);
  const out: ScimResource = {};
  if (Array.isArray(resource.schemas)) out.schemas = [...(resource.schemas as unknown[])];
  copyAttributes(
    [...COMMON_ATTRIBUTES, ...coreSchemaFor(resourceType).attributes],
    resource,
    out,
    undefined,
    parsed,
  );
  for (const extension of extensionSchemasFor(resourceType)) {
    const block = Object.hasOwn(resource, extension.id) ? resource[extension.id] : undefined;
    if (!isPlainObject(block)) continue;
    const projected: Record<string, unknown> = {};
    copyAttributes(extension.attributes, block, projected, extension.id, parsed);
    if (Object.keys(projected).length > 0) out[extension.id] = projected;
  }
  return out;
}

/**
 * Whether the response will contain `attr` (any case, URN-qualified allowed) under these parameters, so the storage
 * layer can skip reading Group `members` for `excludedAttributes=members` or an `attributes` list without members.
 */
export function wantsAttribute(
  resourceType: ResourceTypeId,
  params: ProjectionParams,
  attr: string,
): boolean {
  const resolved = resolvePath(resourceType, attr);
  if (!resolved) return false;
  const { definition, extension, schema } = resolved.attribute;
  return (
    decide(definition, extension ? schema : undefined, parseParams(resourceType, params)).kind !== 'none'
  );
}
