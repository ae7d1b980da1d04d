/**
 * Properties of the PATCH engine: whatever JSON arrives, the outcome is a ScimError or a valid resource; no body can
 * reach Object.prototype; the current resource (deep-frozen here) is never mutated.
 */
import fc from 'fast-check';
import { ScimError } from '../../../shared/scim/errors';
import { applyPatch, parsePatchRequest, type PatchResult } from '../../../shared/scim/patch';
import { normalizeResource } from '../../../shared/scim/resource';
import type { ScimResource } from '../../../shared/scim/types';
import { ALICE, BOB, bjensenWithManager, ENTERPRISE, group, GROUP_ID, PATCH_OP } from './fixtures';

const NUM_RUNS = 300;

type Outcome = { ok: true; result: PatchResult } | { ok: false; error: unknown };

function attempt(type: 'User' | 'Group', current: ScimResource, body: unknown): Outcome {
  try {
    return { ok: true, result: applyPatch(type, current, parsePatchRequest(body)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A result is valid when it normalises like a PUT body, keeps its id and carries well-formed member changes. */
function expectValidOutcome(type: 'User' | 'Group', current: ScimResource, outcome: Outcome): void {
  if (!outcome.ok) {
    expect(outcome.error).toBeInstanceOf(ScimError);
    expect((outcome.error as ScimError).status).toBe(400);
    return;
  }
  const { resource, members, changed } = outcome.result;
  expect(() =>
    normalizeResource(type, resource, { mode: 'replace', existingId: current.id as string }),
  ).not.toThrow();
  expect(resource.id).toBe(current.id);
  expect(resource).not.toHaveProperty('members');
  expect(typeof changed).toBe('boolean');
  const refs = [...members.add, ...(members.replaceAll ?? [])];
  for (const ref of refs) {
    expect(typeof ref.value === 'string' && ref.value !== '').toBe(true);
    expect([undefined, 'User', 'Group']).toContain(ref.type);
  }
  const removed = new Set(members.remove);
  expect(members.add.some((ref) => removed.has(ref.value))).toBe(false);
}

const OP_NAMES = ['add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'REPLACE', 'copy', ''];
const CHAOTIC_PATHS = [
  'userName',
  'Active',
  'name',
  'emails[type eq "work" and primary eq true].display',
  'emails[value co "@"].primary',
  'addresses[type eq "home"].locality',
  `${ENTERPRISE}:manager.value`,
  ENTERPRISE,
  'meta.created',
  'id',
  'groups',
  'unknownAttribute',
  'emails[',
  'members',
  `members[value eq "${ALICE}"]`,
  'members[display eq "x"]',
  'members.value',
];
const CHAOTIC_VALUES: fc.Arbitrary<unknown>[] = [
  fc.constantFrom('', null, 'True', 'False', true, false, 42, 'x@example.com', ALICE),
  fc.constant({ id: 'not-the-id', displayName: 'X' }),
  fc.jsonValue({ maxDepth: 3 }),
];

/** Anything shaped like an operation: often invalid. */
const chaoticOperation: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    op: fc.constantFrom(...OP_NAMES),
    path: fc.oneof(fc.constantFrom(...CHAOTIC_PATHS), fc.string({ maxLength: 20 })),
    value: fc.oneof(...CHAOTIC_VALUES),
  },
  { requiredKeys: ['op'] },
);

const text = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('', null));
const setOp = fc.constantFrom('add', 'Add', 'replace', 'Replace');
const removeOp = fc.constantFrom('remove', 'Remove');
const email = fc.record(
  {
    value: fc.constantFrom('a@example.com', 'b@example.com'),
    type: fc.constantFrom('work', 'home'),
    primary: fc.constantFrom(true, false, 'True'),
  },
  { requiredKeys: ['value'] },
);
const memberList = fc.array(
  fc.record(
    {
      value: fc.constantFrom(ALICE, BOB, 'c-3'),
      $ref: fc.constant(null),
      type: fc.constantFrom('User', 'group'),
    },
    { requiredKeys: ['value'] },
  ),
  { maxLength: 3 },
);

/** Operations an identity provider could plausibly send for a User: mostly valid. */
const userOperation: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    op: setOp,
    path: fc.constantFrom('active', 'Active'),
    value: fc.constantFrom(true, false, 'True', 'False'),
  }),
  fc.record({
    op: setOp,
    path: fc.constantFrom('displayName', 'nickName', 'name.givenName', 'title'),
    value: text,
  }),
  fc.record({
    op: setOp,
    path: fc.constantFrom('emails[type eq "work"].value', 'emails[type eq "home"].value'),
    value: fc.constantFrom('w@example.com', ''),
  }),
  fc.record({ op: setOp, path: fc.constant('emails'), value: fc.array(email, { maxLength: 3 }) }),
  fc.record({ op: setOp, path: fc.constant('emails[type eq "work"]'), value: email }),
  fc.record({
    op: setOp,
    path: fc.constant('roles[primary eq "True"].value'),
    value: fc.constantFrom('Admin', '{"id":"1"}'),
  }),
  fc.record({
    op: setOp,
    path: fc.constantFrom(`${ENTERPRISE}:department`, `${ENTERPRISE}:manager`),
    value: fc.oneof(text, fc.constant({ value: '' }), fc.constant({ value: '271' })),
  }),
  fc.record({
    op: removeOp,
    path: fc.constantFrom(
      'nickName',
      'emails[type eq "work"]',
      'emails[type eq "home"].display',
      `${ENTERPRISE}:manager`,
      ENTERPRISE,
      'name.familyName',
    ),
  }),
  fc.record({
    op: setOp,
    value: fc.record(
      { active: fc.boolean(), 'name.familyName': text, [`${ENTERPRISE}:employeeNumber`]: text },
      { requiredKeys: [] },
    ),
  }),
);

/** Group operations as Entra and Okta send them: mostly valid. */
const groupOperation: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    op: setOp,
    path: fc.constant('displayName'),
    value: fc.string({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({ op: setOp, path: fc.constant('members'), value: memberList }),
  fc.record({ op: removeOp, path: fc.constant('members'), value: memberList }),
  fc.record({
    op: removeOp,
    path: fc.constantFrom(
      `members[value eq "${ALICE}"]`,
      `members[value eq "${ALICE}" or value eq "${BOB}"]`,
      'members',
    ),
  }),
  fc.record({
    op: fc.constant('replace'),
    value: fc.record(
      {
        id: fc.constant(GROUP_ID),
        displayName: fc.string({ minLength: 1, maxLength: 12 }),
        members: memberList,
      },
      { requiredKeys: ['id'] },
    ),
  }),
);

const bodyArbitrary = (plausible: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(fc.oneof({ weight: 9, arbitrary: plausible }, { weight: 1, arbitrary: chaoticOperation }), {
          minLength: 1,
          maxLength: 4,
        })
        .map((ops) => ({ schemas: [PATCH_OP], Operations: ops })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    {
      weight: 1,
      arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.jsonValue({ maxDepth: 3 }) }),
    },
  );

describe('arbitrary PATCH bodies', () => {
  it('should give a ScimError or a valid User for any body', () => {
    const current = bjensenWithManager();
    let successes = 0;
    fc.assert(
      fc.property(bodyArbitrary(userOperation), (body) => {
        const outcome = attempt('User', current, body);
        if (outcome.ok) successes += 1;
        expectValidOutcome('User', current, outcome);
      }),
      { numRuns: NUM_RUNS },
    );
    // The property is not vacuous: a fair share of the generated bodies are valid PATCHes.
    expect(successes).toBeGreaterThan(NUM_RUNS / 5);
  });

  it('should give a ScimError or a valid Group for any body', () => {
    const current = group({ members: [{ value: ALICE, type: 'User' }] });
    let successes = 0;
    fc.assert(
      fc.property(bodyArbitrary(groupOperation), (body) => {
        const outcome = attempt('Group', current, body);
        if (outcome.ok) successes += 1;
        expectValidOutcome('Group', current, outcome);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(successes).toBeGreaterThan(NUM_RUNS / 5);
  });
});

describe('the current resource', () => {
  it('should never be mutated, whatever the operations (it is deep-frozen)', () => {
    const user = bjensenWithManager();
    const userSnapshot = JSON.stringify(user);
    const grp = group({ members: [{ value: ALICE, type: 'User' }] });
    const groupSnapshot = JSON.stringify(grp);
    fc.assert(
      fc.property(bodyArbitrary(userOperation), bodyArbitrary(groupOperation), (userBody, groupBody) => {
        const userOutcome = attempt('User', user, userBody);
        const groupOutcome = attempt('Group', grp, groupBody);

        // A write to a frozen object would have thrown a TypeError, not a ScimError.
        expect(userOutcome.ok || userOutcome.error instanceof ScimError).toBe(true);
        expect(groupOutcome.ok || groupOutcome.error instanceof ScimError).toBe(true);
        expect(JSON.stringify(user)).toBe(userSnapshot);
        expect(JSON.stringify(grp)).toBe(groupSnapshot);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Prototype pollution (after thomaspoignant/scim-patch's suite, extended to PATCH bodies that come from JSON.parse)

const PROBES = ['polluted', 'isAdmin', 'scimPatchPolluted'];
const BUILT_INS = [Object.prototype.toString, Object.prototype.valueOf, Object.prototype.hasOwnProperty];
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

function expectNoPollution(): void {
  const probe: Record<string, unknown> = {};
  for (const name of PROBES) {
    expect(Object.hasOwn(Object.prototype, name)).toBe(false);
    expect(probe[name]).toBeUndefined();
    for (const method of BUILT_INS) expect(Object.hasOwn(method, name)).toBe(false);
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
}

function cleanUp(): void {
  for (const name of PROBES) {
    delete (Object.prototype as Record<string, unknown>)[name];
    for (const method of BUILT_INS) delete (method as unknown as Record<string, unknown>)[name];
  }
}

/** Request bodies as raw JSON text, so `__proto__` arrives as an own key exactly as it would over HTTP. */
const HOSTILE_BODIES: { name: string; type: 'User' | 'Group'; json: string }[] = [
  {
    name: 'a __proto__ value key',
    type: 'User',
    json: '{"op":"add","path":"name","value":{"__proto__":{"polluted":"yes"}}}',
  },
  {
    name: 'a dotted __proto__ value key',
    type: 'User',
    json: '{"op":"add","path":"name","value":{"__proto__.polluted":"yes"}}',
  },
  { name: 'a __proto__.isAdmin key', type: 'User', json: '{"op":"add","value":{"__proto__.isAdmin":true}}' },
  { name: 'a __proto__ path', type: 'User', json: '{"op":"add","path":"__proto__.polluted","value":"yes"}' },
  {
    name: 'a constructor.prototype key',
    type: 'User',
    json: '{"op":"add","path":"name","value":{"constructor.prototype.polluted":"yes"}}',
  },
  {
    name: 'a constructor.prototype path-less key',
    type: 'User',
    json: '{"op":"replace","value":{"constructor":{"prototype":{"polluted":"yes"}}}}',
  },
  { name: 'a prototype path', type: 'User', json: '{"op":"add","path":"prototype.polluted","value":"yes"}' },
  {
    name: 'a toString path',
    type: 'User',
    json: '{"op":"add","path":"toString.scimPatchPolluted","value":"polluted"}',
  },
  {
    name: 'a toString path-less key',
    type: 'User',
    json: '{"op":"add","value":{"toString.scimPatchPolluted":"polluted"}}',
  },
  {
    name: 'a replace on valueOf',
    type: 'User',
    json: '{"op":"replace","path":"valueOf.scimPatchPolluted","value":"polluted"}',
  },
  {
    name: 'a hasOwnProperty path',
    type: 'User',
    json: '{"op":"add","path":"hasOwnProperty.scimPatchPolluted","value":"polluted"}',
  },
  {
    name: 'a sub-path after a value filter',
    type: 'User',
    json: '{"op":"add","path":"emails[primary eq true].toString","value":"polluted"}',
  },
  {
    name: 'a __proto__ attribute in a value filter',
    type: 'User',
    json: '{"op":"replace","path":"emails[__proto__ eq \\"x\\"].value","value":"polluted"}',
  },
  {
    name: 'a __proto__ inside an extension block',
    type: 'User',
    json: `{"op":"add","value":{"${ENTERPRISE}":{"__proto__":{"polluted":"yes"}}}}`,
  },
  {
    name: 'a __proto__ extension attribute path',
    type: 'User',
    json: `{"op":"add","path":"${ENTERPRISE}:__proto__","value":{"polluted":"yes"}}`,
  },
  {
    name: 'a __proto__ inside an email element',
    type: 'User',
    json: '{"op":"add","path":"emails","value":[{"value":"a@b","__proto__":{"polluted":"yes"}}]}',
  },
  {
    name: 'a __proto__ inside a member',
    type: 'Group',
    json: '{"op":"add","path":"members","value":[{"value":"a","__proto__":{"isAdmin":true}}]}',
  },
  {
    name: 'a constructor member key',
    type: 'Group',
    json: '{"op":"add","path":"members","value":[{"value":"a","constructor":{"prototype":{"isAdmin":true}}}]}',
  },
  {
    name: 'a __proto__ operation member',
    type: 'User',
    json: '{"op":"add","path":"nickName","value":"x","__proto__":{"polluted":"yes"}}',
  },
];

describe('prototype pollution', () => {
  afterEach(cleanUp);

  it.each(HOSTILE_BODIES)('should leave Object.prototype untouched for $name', ({ type, json }) => {
    const body = JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[${json}]}`) as unknown;
    const current = type === 'User' ? bjensenWithManager() : group();

    const outcome = attempt(type, current, body);

    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(ScimError);
    expectNoPollution();
  });

  it('should reject a __proto__ key at the top of the message', () => {
    const body = JSON.parse(
      `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"nickName","value":"x"}],"__proto__":{"polluted":1}}`,
    ) as unknown;

    expect(() => parsePatchRequest(body)).toThrow(ScimError);
    expectNoPollution();
  });

  it('should keep Object.prototype clean with unsafe names placed anywhere in a body', () => {
    const unsafe = fc.constantFrom('__proto__', 'constructor', 'prototype', '__PROTO__', 'Constructor');
    const placements: ((name: string) => string)[] = [
      (name) => `{"op":"add","path":"${name}","value":{"polluted":true}}`,
      (name) => `{"op":"add","path":"name.${name}","value":"x"}`,
      (name) => `{"op":"replace","path":"emails[type eq \\"work\\"].${name}","value":"x"}`,
      (name) => `{"op":"replace","value":{"${name}":{"polluted":true}}}`,
      (name) => `{"op":"replace","value":{"${name}.polluted":true}}`,
      (name) => `{"op":"replace","value":{"name":{"${name}":{"polluted":true}}}}`,
      (name) => `{"op":"add","path":"emails","value":[{"value":"a@b","${name}":{"polluted":true}}]}`,
      (name) => `{"op":"add","value":{"${ENTERPRISE}":{"${name}":{"polluted":true}}}}`,
      (name) => `{"op":"remove","path":"members","value":[{"value":"a","${name}":{"isAdmin":true}}]}`,
    ];
    fc.assert(
      fc.property(
        unsafe,
        fc.integer({ min: 0, max: placements.length - 1 }),
        fc.constantFrom<'User' | 'Group'>('User', 'Group'),
        (name, index, type) => {
          const operation = (placements[index] as (name: string) => string)(name);
          const body = JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[${operation}]}`) as unknown;
          const current = type === 'User' ? bjensenWithManager() : group();

          const outcome = attempt(type, current, body);

          expect(outcome.ok).toBe(false);
          expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(ScimError);
          expectNoPollution();
        },
      ),
      { numRuns: 100 },
    );
  });
});
