/**
 * Size limits that come from DynamoDB (docs/idp-setup.md, "Limits"). Checked in the domain before any write or
 * keyed read, so a value that could never be stored answers 400 instead of reaching DynamoDB as a ValidationException.
 *
 * Where the numbers come from: a partition key (table or index) holds at most 2048 bytes, a sort key 1024 bytes, an
 * item 400 KB. userName/displayName, externalId and the work e-mail are index partition keys behind a prefix of at
 * most ~150 bytes (`T#<tenant ≤63>#E#<endpoint ≤63>#U#`, lower-cased for the case-insensitive ones); ids and member
 * values are sort keys; a resource is one item.
 */
import { ScimError } from './errors';
import type { Filter } from './filter/ast';
import type { ScimResource } from './types';

/** userName (Users), displayName (Groups), externalId and the work e-mail value: UTF-8 bytes (lower-cased form). */
export const MAX_KEY_VALUE_BYTES = 1024;
/** A resource id, in a by-id route, a filter or a member value: UTF-8 bytes. */
export const MAX_ID_BYTES = 1024;
/** A stored resource (its attributes as JSON, members excluded): room left in the 400 KB item for keys and memberOf. */
export const MAX_RESOURCE_BYTES = 256 * 1024;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Throws 400 invalidValue unless `id` is a possible resource id (1..MAX_ID_BYTES bytes). */
export function checkId(id: string, what = 'id'): void {
  if (id === '') throw ScimError.invalidValue(`${what} must not be empty`);
  if (bytes(id) > MAX_ID_BYTES) throw ScimError.invalidValue(`${what} is longer than ${MAX_ID_BYTES} bytes`);
}

/** Throws 400 invalidValue when an indexed value (stored lower-cased where `folded`) is over its limit. */
export function checkKeyValue(name: string, value: string): void {
  if (bytes(value.toLowerCase()) > MAX_KEY_VALUE_BYTES || bytes(value) > MAX_KEY_VALUE_BYTES) {
    throw ScimError.invalidValue(`attribute '${name}' is longer than ${MAX_KEY_VALUE_BYTES} bytes`);
  }
}

/** Throws 400 invalidValue when a resource would not fit in one item. */
export function checkResourceSize(data: ScimResource): void {
  const size = bytes(JSON.stringify(data));
  if (size > MAX_RESOURCE_BYTES) {
    throw ScimError.invalidValue(
      `the resource would take ${size} bytes; the limit is ${MAX_RESOURCE_BYTES} bytes (docs/idp-setup.md, Limits)`,
    );
  }
}

/** C0 and C1 control characters and DEL: refused in userName (never typeable, and they break logs and UIs). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** Attribute paths (lower-cased, core schema) whose filter values address a key: id, the indexed names, members. */
const KEYED: Record<string, 'id' | 'key'> = {
  id: 'id',
  username: 'key',
  displayname: 'key',
  externalid: 'key',
  'emails.value': 'key',
  'members.value': 'id',
};

/**
 * Refuses filter values no stored resource can have (400 invalidFilter): an empty or over-long id or member value,
 * an indexed value over its limit. These would otherwise reach DynamoDB as an invalid key.
 */
export function checkFilterValues(filter: Filter, parent?: string): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkFilterValues(filter.left, parent);
      checkFilterValues(filter.right, parent);
      return;
    case 'not':
      checkFilterValues(filter.filter, parent);
      return;
    case 'valuePath':
      checkFilterValues(filter.filter, filter.path.attr.toLowerCase());
      return;
    case 'present':
      return;
    case 'compare': {
      if (typeof filter.value !== 'string') return;
      const { path } = filter;
      const attr = path.attr.toLowerCase();
      const name = parent ? `${parent}.${attr}` : path.sub ? `${attr}.${path.sub.toLowerCase()}` : attr;
      const keyed = KEYED[name];
      if (!keyed) return;
      const limit = keyed === 'id' ? MAX_ID_BYTES : MAX_KEY_VALUE_BYTES;
      if (keyed === 'id' && filter.value === '' && filter.op === 'eq') {
        throw ScimError.invalidFilter(`'${name}' is never empty`);
      }
      if (bytes(filter.value.toLowerCase()) > limit || bytes(filter.value) > limit) {
        throw ScimError.invalidFilter(`a '${name}' value is longer than ${limit} bytes`);
      }
    }
  }
}
