import fc from 'fast-check';
import { ScimError } from '../../../shared/scim/errors';
import { isUnsafeKey, normalizeResource, type NormalizeOptions } from '../../../shared/scim/resource';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, type ResourceTypeId } from '../../../shared/scim/schemas';

const RUNS = { numRuns: 300 };
const TYPES: ResourceTypeId[] = ['User', 'Group'];
const MODES: NormalizeOptions[] = [{ mode: 'create' }, { mode: 'replace', existingId: 'id-1' }];

/** Normalises and returns the result, or undefined when a ScimError was thrown; any other throw fails the property. */
function attempt(type: ResourceTypeId, body: unknown, opts: NormalizeOptions): unknown {
  try {
    return normalizeResource(type, body, opts);
  } catch (e) {
    if (!(e instanceof ScimError)) throw e;
    expect(e.status).toBe(400);
    return undefined;
  }
}

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(typeof Object.prototype.toString).toBe('function');
  expect(typeof Object.prototype.hasOwnProperty).toBe('function');
}

/** True when `value` holds an unsafe key at any depth. */
function hasUnsafeKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUnsafeKey);
  if (typeof value !== 'object' || value === null) return false;
  return Object.keys(value).some(
    (k) => isUnsafeKey(k) || hasUnsafeKey((value as Record<string, unknown>)[k]),
  );
}

/** Every object in a normalised resource is a plain object whose own keys are safe. */
function expectCleanOutput(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(expectCleanOutput);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  for (const key of Object.keys(value)) {
    expect(isUnsafeKey(key)).toBe(false);
    expectCleanOutput((value as Record<string, unknown>)[key]);
  }
}

const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'isAdmin',
  'toString',
  'hasOwnProperty',
  'schemas',
  'id',
  'meta',
  'userName',
  'UserName',
  'active',
  'Active',
  'name',
  'givenName',
  'emails',
  'value',
  'Primary',
  'type',
  '$ref',
  'displayName',
  'members',
  'manager',
  'department',
  ENTERPRISE_USER_SCHEMA,
];

/**
 * JSON text built from hostile and meaningful keys, parsed with JSON.parse so that `__proto__` becomes an own
 * property exactly as it does for a real request body.
 */
const hostileJson = fc.letrec((tie) => ({
  leaf: fc
    .oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('True', 'false', '271', GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA),
    )
    .map((v) => JSON.stringify(v) ?? 'null'),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }).map((items) => `[${(items as string[]).join(',')}]`),
  object: fc
    .array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { maxLength: 6 })
    .map(
      (entries) =>
        `{${(entries as [string, string][]).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`,
    ),
}));

const caseOf = (key: string) => fc.constantFrom(key, key.toUpperCase(), key.toLowerCase());
const text = fc.string({ maxLength: 12 });
const email = fc.record(
  {
    value: text,
    type: fc.constantFrom('work', 'home', 'Other'),
    primary: fc.oneof(fc.boolean(), fc.constantFrom('True', 'FALSE')),
  },
  { requiredKeys: ['value'] },
);

/** Valid User bodies in the many shapes IdPs send them (any-case names, string booleans, object-for-array…). */
const userBody = fc
  .record(
    {
      userName: fc.tuple(caseOf('userName'), fc.string({ minLength: 1, maxLength: 12 })),
      active: fc.tuple(caseOf('active'), fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'tRuE'))),
      name: fc.tuple(caseOf('name'), fc.record({ givenName: text, familyName: text }, { requiredKeys: [] })),
      emails: fc.tuple(caseOf('emails'), fc.oneof(email, fc.array(email, { maxLength: 3 }))),
      password: fc.tuple(fc.constant('password'), text),
      roles: fc.tuple(fc.constant('roles'), fc.constant([])),
      meta: fc.tuple(fc.constant('meta'), fc.constant({ resourceType: 'User' })),
      enterprise: fc.tuple(
        caseOf(ENTERPRISE_USER_SCHEMA),
        fc.record(
          { department: text, manager: fc.oneof(text, fc.record({ Value: text, displayName: text })) },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: ['userName'] },
  )
  .map((fields) => Object.fromEntries(Object.values(fields)) as Record<string, unknown>);

const groupBody = fc
  .record(
    {
      displayName: fc.tuple(caseOf('displayName'), fc.string({ minLength: 1, maxLength: 12 })),
      externalId: fc.tuple(fc.constant('externalId'), text),
      members: fc.tuple(
        caseOf('members'),
        fc.array(fc.record({ value: fc.string({ minLength: 1, maxLength: 8 }), $ref: fc.constant(null) }), {
          maxLength: 4,
        }),
      ),
      schemas: fc.tuple(
        fc.constant('schemas'),
        fc.constant([
          GROUP_SCHEMA,
          'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
        ]),
      ),
    },
    { requiredKeys: ['displayName'] },
  )
  .map((fields) => Object.fromEntries(Object.values(fields)) as Record<string, unknown>);

describe('normalizeResource properties', () => {
  afterEach(() => {
    expectNoPollution();
  });

  it('should throw nothing but a 400 ScimError for arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...TYPES), fc.constantFrom(...MODES), (body, type, opts) => {
        attempt(type, body, opts);
        expectNoPollution();
      }),
      RUNS,
    );
  });

  it('should throw nothing but a 400 ScimError for arbitrary objects, null-prototype ones included', () => {
    const objects = fc.object({ withNullPrototype: true, maxDepth: 3 });
    fc.assert(
      fc.property(objects, fc.constantFrom(...TYPES), (body, type) => {
        const result = attempt(type, body, { mode: 'create' });
        expectCleanOutput(result);
        expectNoPollution();
      }),
      RUNS,
    );
  });

  it('should reject every JSON body holding __proto__, constructor or prototype keys and never pollute', () => {
    fc.assert(
      fc.property(
        hostileJson.object,
        fc.constantFrom(...TYPES),
        fc.constantFrom(...MODES),
        (json, type, opts) => {
          const body: unknown = JSON.parse(json as string);
          const result = attempt(type, body, opts);
          expect(hasUnsafeKey(body) && result !== undefined).toBe(false);
          expectCleanOutput(result);
          expectNoPollution();
        },
      ),
      RUNS,
    );
  });

  it('should be idempotent on the User bodies IdPs send', () => {
    fc.assert(
      fc.property(userBody, fc.constantFrom(...MODES), (body, opts) => {
        const once = normalizeResource('User', body, opts);
        const twice = normalizeResource('User', once, opts);

        expect(twice).toEqual(once);
        expectCleanOutput(once);
      }),
      RUNS,
    );
  });

  it('should be idempotent on the Group bodies IdPs send', () => {
    fc.assert(
      fc.property(groupBody, fc.constantFrom(...MODES), (body, opts) => {
        const once = normalizeResource('Group', body, opts);

        expect(normalizeResource('Group', once, opts)).toEqual(once);
        expect(once.schemas).toEqual([GROUP_SCHEMA]);
      }),
      RUNS,
    );
  });

  it('should be idempotent on whatever hostile-shaped body it accepts', () => {
    fc.assert(
      fc.property(hostileJson.object, fc.constantFrom(...TYPES), (json, type) => {
        const once = attempt(type, JSON.parse(json as string), { mode: 'create' });
        const twice = once === undefined ? undefined : normalizeResource(type, once, { mode: 'create' });

        expect(twice).toEqual(once);
      }),
      RUNS,
    );
  });
});
