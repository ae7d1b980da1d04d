/**
 * Validation and in-memory evaluation of SCIM filters (RFC 7644 §3.4.2.2) against normalised resources.
 *
 * A filter is compiled once against an {@link AttributeResolver}: every attribute path is resolved, operators and
 * values are checked against the attribute types (failures are `ScimError.invalidFilter`), and the result is a
 * predicate that reads resources by canonical attribute names. `validateFilter` compiles and discards; use
 * `compileFilter` to test many resources with one filter.
 *
 * Semantics:
 *  - multi-valued attributes match when any value matches; `emails co "x"` on a complex attribute with a `value`
 *    sub-attribute compares `value`;
 *  - strings honour `caseExact`; `dateTime` compares instants; numbers numerically; booleans as booleans;
 *  - `pr` is true for a value that is not null, not `""`, not `[]` and (for complex values) has a present sub-value;
 *  - `ne` is true on a missing attribute; `eq null` means "not present" and `ne null` means "present";
 *  - lenient value coercion: `"True"` for booleans, numeric strings for numbers, numbers/booleans for strings
 *    (`employeeNumber eq 42`). A value that cannot be coerced (`active eq "yes"`) is `invalidFilter`.
 */
import { ScimError } from '../errors';
import type { AttributeDefinition, AttributeResolver, ResolvedAttribute } from '../types';
import type { AttrPath, CompareOp, Filter, FilterValue } from './ast';
import type { Fail } from './lexer';

export type ResourcePredicate = (resource: Record<string, unknown>) => boolean;

/** The result of resolving an {@link AttrPath} (shared with the PATCH engine). */
export interface ResolvedPath {
  /** The top-level attribute: schema URN, whether it lives under `resource[schema]`, canonical definition. */
  attribute: ResolvedAttribute;
  /** The canonical definition of `path.sub`, when the path names a sub-attribute. */
  sub: AttributeDefinition | undefined;
  /** When the path carries a value filter (`emails[type eq "work"]`): tests one element of the attribute. */
  matchElement: ((element: unknown) => boolean) | undefined;
}

/**
 * Resolves a path against the resource type's schemas: the attribute, its sub-attribute (case-insensitive, through
 * `definition.subAttributes`) and the value filter (compiled against the sub-attributes). Errors are built by
 * `fail`: `ScimError.invalidFilter` by default, pass `ScimError.invalidPath` from PATCH.
 */
export function resolvePath(
  path: AttrPath,
  resolve: AttributeResolver,
  fail: Fail = (detail) => ScimError.invalidFilter(detail),
): ResolvedPath {
  return resolveIn(path, { resolve, parent: undefined, fail });
}

/** Checks that every path resolves and every operator and value fits the attribute type. */
export function validateFilter(filter: Filter, resolve: AttributeResolver): void {
  compileFilter(filter, resolve);
}

/** Validates `filter` (throws `ScimError.invalidFilter`) and returns a predicate over normalised resources. */
export function compileFilter(filter: Filter, resolve: AttributeResolver): ResourcePredicate {
  return compile(filter, { resolve, parent: undefined, fail: (detail) => ScimError.invalidFilter(detail) });
}

/** Weak memo for `evaluateFilter`: entries die with their filter or resolver; holds nothing tenant-specific. */
const compiled = new WeakMap<Filter, WeakMap<AttributeResolver, ResourcePredicate>>();

/**
 * Tests one resource; validates the filter first (so it throws `ScimError.invalidFilter` for an invalid one).
 * The compiled predicate is remembered per (filter object, resolver), weakly, so calling this in a loop over a
 * listing compiles once.
 */
export function evaluateFilter(
  filter: Filter,
  resource: Record<string, unknown>,
  resolve: AttributeResolver,
): boolean {
  let byResolver = compiled.get(filter);
  if (byResolver === undefined) {
    byResolver = new WeakMap();
    compiled.set(filter, byResolver);
  }
  let predicate = byResolver.get(resolve);
  if (predicate === undefined) {
    predicate = compileFilter(filter, resolve);
    byResolver.set(resolve, predicate);
  }
  return predicate(resource);
}

/** Finds a sub-attribute definition case-insensitively. */
export function findSubAttribute(
  definition: AttributeDefinition,
  name: string,
): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return definition.subAttributes?.find((sub) => sub.name.toLowerCase() === lower);
}

// ---------------------------------------------------------------------------------------------------------------

interface Scope {
  resolve: AttributeResolver;
  /** Canonical name of the complex attribute whose value filter is being compiled. */
  parent: string | undefined;
  fail: Fail;
}

/** Reads the candidate values a path selects from a resource (flattened, null/undefined dropped). */
type Accessor = (resource: Record<string, unknown>) => unknown[];

/** A comparison value after coercion to the attribute type: dateTime values are epoch milliseconds. */
type Comparable = string | number | boolean;

const ORDERING_OPS: ReadonlySet<CompareOp> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING_OPS: ReadonlySet<CompareOp> = new Set(['co', 'sw', 'ew']);
const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

function compile(filter: Filter, scope: Scope): ResourcePredicate {
  switch (filter.kind) {
    case 'and': {
      const left = compile(filter.left, scope);
      const right = compile(filter.right, scope);
      return (resource) => left(resource) && right(resource);
    }
    case 'or': {
      const left = compile(filter.left, scope);
      const right = compile(filter.right, scope);
      return (resource) => left(resource) || right(resource);
    }
    case 'not': {
      const inner = compile(filter.filter, scope);
      return (resource) => !inner(resource);
    }
    case 'valuePath': {
      if (filter.path.sub !== undefined || filter.path.valueFilter !== undefined) {
        throw scope.fail(
          `a value filter applies to an attribute, not to '${label(filter.path)}' with a sub-path`,
        );
      }
      const { attribute, matchElement } = resolveIn({ ...filter.path, valueFilter: filter.filter }, scope);
      const read = topReader(attribute);
      const match = matchElement ?? isRecord;
      return (resource) => toArray(read(resource)).some(match);
    }
    case 'present': {
      const { read } = accessor(filter.path, scope, false);
      return (resource) => read(resource).some(isPresent);
    }
    case 'compare': {
      const { read, target, name } = accessor(filter.path, scope, true);
      return comparison(read, target, name, filter.op, filter.value, scope.fail);
    }
  }
}

function resolveIn(path: AttrPath, scope: Scope): ResolvedPath {
  const attribute = scope.resolve(path.schema, path.attr);
  if (attribute === undefined) {
    throw scope.fail(
      scope.parent === undefined
        ? `unknown attribute '${label({ schema: path.schema, attr: path.attr })}'`
        : `unknown sub-attribute '${label({ schema: path.schema, attr: path.attr })}' of '${scope.parent}'`,
    );
  }
  const top = attribute.definition;
  let matchElement: ((element: unknown) => boolean) | undefined;
  if (path.valueFilter !== undefined) {
    if (top.type !== 'complex') {
      throw scope.fail(`'${top.name}' is not a complex attribute, so it cannot take a value filter`);
    }
    const inner = compile(path.valueFilter, elementScope(attribute, scope.fail));
    matchElement = (element) => isRecord(element) && inner(element);
  }
  let sub: AttributeDefinition | undefined;
  if (path.sub !== undefined) {
    if (top.type !== 'complex' || top.subAttributes === undefined) {
      throw scope.fail(`attribute '${top.name}' has no sub-attributes (asked for '${path.sub}')`);
    }
    sub = findSubAttribute(top, path.sub);
    if (sub === undefined) throw scope.fail(`unknown sub-attribute '${path.sub}' of '${top.name}'`);
  }
  return { attribute, sub, matchElement };
}

/** Inside `emails[…]` paths name sub-attributes of `emails`, read from each element. */
function elementScope(parent: ResolvedAttribute, fail: Fail): Scope {
  const resolve: AttributeResolver = (schema, name) => {
    if (schema !== undefined) return undefined;
    const definition = findSubAttribute(parent.definition, name);
    return definition === undefined ? undefined : { schema: parent.schema, extension: false, definition };
  };
  return { resolve, parent: parent.definition.name, fail };
}

function accessor(
  path: AttrPath,
  scope: Scope,
  forComparison: boolean,
): { read: Accessor; target: AttributeDefinition; name: string } {
  const { attribute, sub, matchElement } = resolveIn(path, scope);
  const top = attribute.definition;
  const readTop = topReader(attribute);
  const elements = (resource: Record<string, unknown>): unknown[] => {
    const values = toArray(readTop(resource));
    return matchElement === undefined ? values : values.filter(matchElement);
  };
  // `emails co "x"`: a comparison on a complex attribute compares its `value` sub-attribute.
  let field = sub;
  if (field === undefined && forComparison && top.type === 'complex') {
    field = findSubAttribute(top, 'value');
    if (field === undefined) {
      throw scope.fail(`cannot compare the complex attribute '${top.name}'; name one of its sub-attributes`);
    }
  }
  if (field === undefined) {
    return { read: (resource) => elements(resource).filter(isDefined), target: top, name: top.name };
  }
  const key = field.name;
  return {
    read: (resource) => elements(resource).flatMap((element) => toArray(own(element, key)).filter(isDefined)),
    target: field,
    name: `${top.name}.${field.name}`,
  };
}

function topReader(attribute: ResolvedAttribute): (resource: Record<string, unknown>) => unknown {
  const name = attribute.definition.name;
  if (!attribute.extension) return (resource) => own(resource, name);
  const schema = attribute.schema;
  return (resource) => own(own(resource, schema), name);
}

function comparison(
  read: Accessor,
  target: AttributeDefinition,
  name: string,
  op: CompareOp,
  value: FilterValue,
  fail: Fail,
): ResourcePredicate {
  const type = target.type;
  if (ORDERING_OPS.has(op) && (type === 'boolean' || type === 'binary' || type === 'complex')) {
    throw fail(`'${op}' cannot be used on the ${type} attribute '${name}'`);
  }
  if (SUBSTRING_OPS.has(op) && type !== 'string' && type !== 'reference' && type !== 'binary') {
    throw fail(`'${op}' cannot be used on the ${type} attribute '${name}'`);
  }
  if (value === null) {
    if (op === 'eq') return (resource) => !read(resource).some(isPresent);
    if (op === 'ne') return (resource) => read(resource).some(isPresent);
    throw fail(`'${op}' cannot compare '${name}' with null`);
  }
  const expected = coerce(value, target);
  if (expected === undefined) {
    throw fail(`${JSON.stringify(value)} is not a valid ${type} value for '${name}'`);
  }
  const test = valueTest(op, expected, target);
  if (op === 'ne') {
    return (resource) => {
      const values = read(resource);
      return values.length === 0 || values.some(test);
    };
  }
  return (resource) => read(resource).some(test);
}

/** Tests one stored value (already non-null) against the coerced comparison value. */
function valueTest(
  op: CompareOp,
  expected: Comparable,
  target: AttributeDefinition,
): (stored: unknown) => boolean {
  const foldCase = isStringType(target) && !target.caseExact;
  const wanted = foldCase && typeof expected === 'string' ? expected.toLowerCase() : expected;
  return (stored) => {
    let actual = coerceStored(stored, target);
    if (actual === undefined || typeof actual !== typeof wanted) return false;
    if (foldCase && typeof actual === 'string') actual = actual.toLowerCase();
    switch (op) {
      case 'eq':
        return actual === wanted;
      case 'ne':
        return actual !== wanted;
      case 'co':
        return (actual as string).includes(wanted as string);
      case 'sw':
        return (actual as string).startsWith(wanted as string);
      case 'ew':
        return (actual as string).endsWith(wanted as string);
      case 'gt':
        return actual > wanted;
      case 'ge':
        return actual >= wanted;
      case 'lt':
        return actual < wanted;
      case 'le':
        return actual <= wanted;
    }
  };
}

/** Coerces a filter value to the attribute type; undefined when it cannot be (→ invalidFilter). */
function coerce(value: string | number | boolean, target: AttributeDefinition): Comparable | undefined {
  switch (target.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return String(value);
    case 'boolean':
      return toBoolean(value);
    case 'integer':
    case 'decimal':
      return toNumber(value);
    case 'dateTime':
      return typeof value === 'string' ? parseDateTime(value) : undefined;
    case 'complex':
      return undefined;
  }
}

/** Reads a stored value as the attribute type; undefined when it is not one (it then matches nothing). */
function coerceStored(stored: unknown, target: AttributeDefinition): Comparable | undefined {
  if (typeof stored !== 'string' && typeof stored !== 'number' && typeof stored !== 'boolean')
    return undefined;
  return coerce(stored, target);
}

function isStringType(target: AttributeDefinition): boolean {
  return target.type === 'string' || target.type === 'reference' || target.type === 'binary';
}

function toBoolean(value: string | number | boolean): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function toNumber(value: string | number | boolean): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Parses an ISO 8601 / RFC 3339 date-time (`2011-05-13T04:42:34Z`, fractions, offsets, a date alone) to epoch
 * milliseconds. A time without a zone is read as UTC, so results never depend on the host's time zone.
 */
export function parseDateTime(text: string): number | undefined {
  const m = ISO_8601.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    part === undefined ? 0 : Number(part),
  ) as [number, number, number, number, number, number];
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) {
    return undefined;
  }
  if (second > 60) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const hours = Number(m[10]);
    const minutes = Number(m[11]);
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), 0);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear undoes that.
  const date = new Date(utc);
  date.setUTCFullYear(year);
  return date.getTime() + millis - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isRecord(value)) return Object.values(value).some(isPresent);
  return true;
}

function isDefined(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property read: never reaches the prototype chain, whatever the key. */
function own(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

function label(path: Pick<AttrPath, 'schema' | 'attr'>): string {
  return path.schema === undefined ? path.attr : `${path.schema}:${path.attr}`;
}
