import type { ScimType } from '../../../shared/scim/errors';
import {
  coerceValue,
  isUnsafeKey,
  MAX_MEMBERS_PER_REQUEST,
  MAX_MULTI_VALUES,
  MAX_STRING_LENGTH,
  normalizeResource,
  type NormalizeOptions,
} from '../../../shared/scim/resource';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, resolverFor, USER_SCHEMA } from '../../../shared/scim/schemas';
import type { ResourceTypeId } from '../../../shared/scim/schemas';
import type { ScimResource } from '../../../shared/scim/types';
import { expectScimError } from './scim-error';

const CREATE: NormalizeOptions = { mode: 'create' };

interface AcceptCase {
  name: string;
  type: ResourceTypeId;
  body: unknown;
  opts?: NormalizeOptions;
  expected: ScimResource;
}

/** What identity providers really send (docs: idp-behaviour.md), and what scimgate stores. */
const ACCEPTED: AcceptCase[] = [
  {
    name: "Entra ID's POST /Users with meta.resourceType, roles: [], enterprise block and capitalised names",
    type: 'User',
    body: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      externalId: '8a7c0d6e-0000-4000-8000-000000000001',
      UserName: 'Test_User_ab6490ee@contoso.com',
      Active: 'True',
      DisplayName: 'BobIsAmazing',
      emails: [{ Primary: true, Type: 'work', Value: 'Test_User_ab6490ee@contoso.com' }],
      meta: { resourceType: 'User' },
      name: { FamilyName: 'familyName', GivenName: 'givenName' },
      roles: [],
      [ENTERPRISE_USER_SCHEMA]: { Department: 'Sales', Manager: { Value: 'mgr-1' } },
    },
    expected: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      externalId: '8a7c0d6e-0000-4000-8000-000000000001',
      userName: 'Test_User_ab6490ee@contoso.com',
      name: { familyName: 'familyName', givenName: 'givenName' },
      displayName: 'BobIsAmazing',
      active: true,
      emails: [{ value: 'Test_User_ab6490ee@contoso.com', type: 'work', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'mgr-1' } },
    },
  },
  {
    name: "Entra ID's bare manager string, 'False' string and an extension block keyed in another case",
    type: 'User',
    body: {
      userName: 'u1',
      active: 'false',
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { manager: '271', employeeNumber: 42 },
    },
    expected: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'u1',
      active: false,
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '42', manager: { value: '271' } },
    },
  },
  {
    name: 'a URN-qualified attribute key at the top level',
    type: 'User',
    body: {
      userName: 'u2',
      [`${ENTERPRISE_USER_SCHEMA}:department`]: 'R&D',
      'urn:ietf:params:scim:schemas:core:2.0:User:nickName': 'nick',
    },
    expected: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'u2',
      nickName: 'nick',
      [ENTERPRISE_USER_SCHEMA]: { department: 'R&D' },
    },
  },
  {
    name: "Entra ID's POST /Groups with the Microsoft schema URN and empty members",
    type: 'Group',
    body: {
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Group1DisplayName',
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      meta: { resourceType: 'Group' },
      members: [],
    },
    expected: {
      schemas: [GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Group1DisplayName',
    },
  },
  {
    name: 'group members with "$ref": null and capitalised keys',
    type: 'Group',
    body: {
      DisplayName: 'Engineering',
      Members: [
        { $ref: null, value: 'u-1' },
        { Value: 'u-2', Display: 'Bob', Type: 'User' },
      ],
    },
    expected: {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering',
      members: [{ value: 'u-1' }, { value: 'u-2', display: 'Bob', type: 'User' }],
    },
  },
  {
    name: "Okta's POST /Users with a placeholder password",
    type: 'User',
    body: {
      schemas: [USER_SCHEMA],
      userName: 'isabella.lopez@example.com',
      name: { givenName: 'Isabella', familyName: 'Lopez' },
      emails: [{ primary: true, value: 'isabella.lopez@example.com', type: 'work' }],
      displayName: 'Isabella Lopez',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    },
    expected: {
      schemas: [USER_SCHEMA],
      externalId: '00ujl29u0le5T6Aj10h7',
      userName: 'isabella.lopez@example.com',
      name: { givenName: 'Isabella', familyName: 'Lopez' },
      displayName: 'Isabella Lopez',
      locale: 'en-US',
      active: true,
      password: '1mz050nq',
      emails: [{ primary: true, value: 'isabella.lopez@example.com', type: 'work' }],
    },
  },
  {
    name: "OneLogin's SCIM 1.1 URN and object-for-array emails",
    type: 'User',
    body: {
      schemas: ['urn:scim:schemas:core:1.0'],
      userName: 'kim@example.com',
      name: { givenName: 'Kim', familyName: 'Lee' },
      emails: { value: 'kim@example.com', primary: 'true' },
      phoneNumbers: { value: '+1 555 0100', type: 'work' },
    },
    expected: {
      schemas: [USER_SCHEMA],
      userName: 'kim@example.com',
      name: { givenName: 'Kim', familyName: 'Lee' },
      emails: [{ value: 'kim@example.com', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    },
  },
  {
    name: "JumpCloud's activation test user",
    type: 'User',
    body: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'jctestuser@example.com',
      displayName: 'JumpCloud Test User',
      name: { givenName: 'JumpCloud', familyName: 'TestUser' },
      emails: [{ value: 'jctestuser@example.com', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE_USER_SCHEMA]: {},
    },
    expected: {
      schemas: [USER_SCHEMA],
      userName: 'jctestuser@example.com',
      name: { givenName: 'JumpCloud', familyName: 'TestUser' },
      displayName: 'JumpCloud Test User',
      active: true,
      emails: [{ value: 'jctestuser@example.com', type: 'work', primary: true }],
    },
  },
  {
    name: 'null values as absent and values kept in the format they were sent',
    type: 'User',
    body: {
      userName: '  MiXeD.Case@Example.COM ',
      title: null,
      name: { givenName: null, familyName: 'Ng' },
      emails: [null, { value: 'A@B.C', type: 'WORK' }],
      addresses: [{ type: 'work', primary: 'TRUE', country: 'US' }],
    },
    expected: {
      schemas: [USER_SCHEMA],
      userName: '  MiXeD.Case@Example.COM ',
      name: { familyName: 'Ng' },
      emails: [{ value: 'A@B.C', type: 'WORK' }],
      addresses: [{ type: 'work', primary: true, country: 'US' }],
    },
  },
  {
    name: 'read-only id, meta, groups and manager.displayName as ignored',
    type: 'User',
    body: {
      id: 'client-chosen',
      userName: 'u3',
      meta: { created: 'yesterday', location: 'nowhere' },
      groups: [{ value: 'g1', display: 'Admins' }],
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm', displayName: 'Boss' } },
    },
    expected: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'u3',
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm' } },
    },
  },
  {
    name: "a PUT echoing the resource's own id",
    type: 'Group',
    body: { id: 'g-1', displayName: 'Renamed', schemas: GROUP_SCHEMA },
    opts: { mode: 'replace', existingId: 'g-1' },
    expected: { schemas: [GROUP_SCHEMA], displayName: 'Renamed' },
  },
  {
    name: 'an enterprise URN in schemas without a block, dropped from the canonical list',
    type: 'User',
    body: {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'u4',
      roles: [{ value: '{"id":"r1"}' }],
    },
    expected: { schemas: [USER_SCHEMA], userName: 'u4', roles: [{ value: '{"id":"r1"}' }] },
  },
];

interface RejectCase {
  name: string;
  type: ResourceTypeId;
  body: unknown;
  opts?: NormalizeOptions;
  scimType: ScimType;
  detail: RegExp;
}

const REJECTED: RejectCase[] = [
  { name: 'a null body', type: 'User', body: null, scimType: 'invalidSyntax', detail: /JSON object/ },
  {
    name: 'an array body',
    type: 'User',
    body: [{ userName: 'a' }],
    scimType: 'invalidSyntax',
    detail: /JSON object/,
  },
  {
    name: 'a string body',
    type: 'Group',
    body: 'displayName',
    scimType: 'invalidSyntax',
    detail: /JSON object/,
  },
  {
    name: 'a top-level __proto__ key',
    type: 'User',
    body: JSON.parse('{"userName":"a","__proto__":{"polluted":true}}'),
    scimType: 'invalidValue',
    detail: /'__proto__' is not allowed/,
  },
  {
    name: 'a __proto__ key inside emails',
    type: 'User',
    body: JSON.parse('{"userName":"a","emails":[{"value":"x","__proto__":{"polluted":true}}]}'),
    scimType: 'invalidValue',
    detail: /'__proto__'/,
  },
  {
    name: 'a __proto__ key inside the ignored meta',
    type: 'User',
    body: JSON.parse('{"userName":"a","meta":{"__proto__":{"polluted":true}}}'),
    scimType: 'invalidValue',
    detail: /'__proto__'/,
  },
  {
    name: 'a constructor.prototype key in the enterprise block',
    type: 'User',
    body: { userName: 'a', [ENTERPRISE_USER_SCHEMA]: { constructor: { prototype: { polluted: true } } } },
    scimType: 'invalidValue',
    detail: /'constructor'/,
  },
  {
    name: 'an unknown attribute',
    type: 'User',
    body: { userName: 'a', favouriteColour: 'blue' },
    scimType: 'invalidValue',
    detail: /unknown attribute 'favouriteColour'/,
  },
  {
    name: 'an unknown sub-attribute',
    type: 'User',
    body: { userName: 'a', name: { nickname: 'x' } },
    scimType: 'invalidValue',
    detail: /unknown attribute 'name.nickname'/,
  },
  {
    name: 'an unknown extension attribute',
    type: 'User',
    body: { userName: 'a', [ENTERPRISE_USER_SCHEMA]: { badge: '7' } },
    scimType: 'invalidValue',
    detail: /unknown attribute .*:badge'/,
  },
  {
    name: 'an extension block of an unknown schema',
    type: 'User',
    body: { userName: 'a', 'urn:ietf:params:scim:schemas:extension:acme:2.0:User': { badge: '7' } },
    scimType: 'invalidValue',
    detail: /schema extension 'urn:ietf:params:scim:schemas:extension:acme:2.0:User' is not supported/,
  },
  {
    name: 'the enterprise extension on a Group',
    type: 'Group',
    body: { displayName: 'g', [ENTERPRISE_USER_SCHEMA]: { department: 'x' } },
    scimType: 'invalidValue',
    detail: /not supported for Group/,
  },
  {
    name: 'an unknown schema URN in schemas',
    type: 'User',
    body: { schemas: ['urn:example:custom'], userName: 'a' },
    scimType: 'invalidValue',
    detail: /schema 'urn:example:custom' is not supported/,
  },
  {
    name: 'a non-boolean active',
    type: 'User',
    body: { userName: 'a', active: 'yes' },
    scimType: 'invalidValue',
    detail: /attribute 'active' must be a boolean/,
  },
  {
    name: 'a numeric userName-like object',
    type: 'User',
    body: { userName: { value: 'a' } },
    scimType: 'invalidValue',
    detail: /attribute 'userName' must be a string/,
  },
  {
    name: 'a string for the name object',
    type: 'User',
    body: { userName: 'a', name: 'Babs Jensen' },
    scimType: 'invalidValue',
    detail: /attribute 'name' must be an object/,
  },
  {
    name: 'an array for a single-valued attribute',
    type: 'User',
    body: { userName: ['a', 'b'] },
    scimType: 'invalidValue',
    detail: /attribute 'userName' must be a single value/,
  },
  {
    name: 'a wrong type inside a multi-valued element',
    type: 'User',
    body: { userName: 'a', emails: [{ value: 'x' }, { value: 'y', primary: 'maybe' }] },
    scimType: 'invalidValue',
    detail: /attribute 'emails\[1\].primary' must be a boolean/,
  },
  {
    name: 'a missing userName',
    type: 'User',
    body: { displayName: 'x' },
    scimType: 'invalidValue',
    detail: /'userName' is required/,
  },
  {
    name: 'an empty userName',
    type: 'User',
    body: { userName: '' },
    scimType: 'invalidValue',
    detail: /'userName' must not be empty/,
  },
  {
    name: 'a null userName',
    type: 'User',
    body: { userName: null },
    scimType: 'invalidValue',
    detail: /'userName' is required/,
  },
  {
    name: 'a missing Group displayName',
    type: 'Group',
    body: { members: [] },
    scimType: 'invalidValue',
    detail: /'displayName' is required/,
  },
  {
    name: 'a member without value',
    type: 'Group',
    body: { displayName: 'g', members: [{ display: 'Bob' }] },
    scimType: 'invalidValue',
    detail: /'members\[0\].value' is required/,
  },
  {
    name: 'the same attribute twice in different cases',
    type: 'User',
    body: { userName: 'a', UserName: 'b' },
    scimType: 'invalidValue',
    detail: /'userName' is given more than once/,
  },
  {
    name: "an id that differs from the resource's id on replace",
    type: 'User',
    body: { id: 'other', userName: 'a' },
    opts: { mode: 'replace', existingId: 'mine' },
    scimType: 'mutability',
    detail: /'id' is read-only/,
  },
  {
    name: 'a string longer than the limit',
    type: 'User',
    body: { userName: 'a'.repeat(MAX_STRING_LENGTH + 1) },
    scimType: 'invalidValue',
    detail: /longer than 16384 characters/,
  },
  {
    name: 'too many values in a multi-valued attribute',
    type: 'User',
    body: {
      userName: 'a',
      emails: Array.from({ length: MAX_MULTI_VALUES + 1 }, (_, i) => ({ value: `${i}@x` })),
    },
    scimType: 'invalidValue',
    detail: /'emails' has more than 1000 values/,
  },
  {
    name: 'too many members in one body',
    type: 'Group',
    body: {
      displayName: 'g',
      members: Array.from({ length: MAX_MEMBERS_PER_REQUEST + 1 }, (_, i) => ({ value: `u${i}` })),
    },
    scimType: 'invalidValue',
    detail: /'members' has more than 10000 values/,
  },
  {
    name: 'a body nested deeper than any schema allows',
    type: 'User',
    body: { userName: 'a', meta: JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`) },
    scimType: 'invalidSyntax',
    detail: /nested too deeply/,
  },
  {
    name: 'attributes under the Microsoft group schema URN',
    type: 'Group',
    body: {
      displayName: 'g',
      'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group': { x: 1 },
    },
    scimType: 'invalidValue',
    detail: /not supported/,
  },
  {
    name: 'a dotted attribute name in a POST body',
    type: 'User',
    body: { userName: 'a', 'name.givenName': 'x' },
    scimType: 'invalidValue',
    detail: /unknown attribute 'name.givenName'/,
  },
];

describe('normalizeResource', () => {
  it.each(ACCEPTED)('should accept $name', ({ type, body, opts, expected }) => {
    const normalized = normalizeResource(type, body, opts ?? CREATE);

    expect(normalized).toEqual(expected);
  });

  it.each(REJECTED)('should reject $name', ({ type, body, opts, scimType, detail }) => {
    const error = expectScimError(() => normalizeResource(type, body, opts ?? CREATE), 400, scimType);

    expect(error.message).toMatch(detail);
  });

  it('should put schemas first and the other attributes in schema order', () => {
    const normalized = normalizeResource('User', { active: true, userName: 'a', externalId: 'e' }, CREATE);

    expect(Object.keys(normalized)).toEqual(['schemas', 'externalId', 'userName', 'active']);
  });

  it('should ignore a body id on create', () => {
    expect(normalizeResource('User', { id: 'x', userName: 'a' }, CREATE)).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'a',
    });
  });

  it('should not echo attribute values in error details', () => {
    const error = expectScimError(
      () => normalizeResource('User', { userName: 'a', password: { secret: 's3cr3t-value' } }, CREATE),
      400,
      'invalidValue',
    );

    expect(error.message).not.toContain('s3cr3t-value');
  });

  it('should leave Object.prototype untouched by hostile bodies', () => {
    const bodies = [
      JSON.parse('{"__proto__":{"polluted":"yes"}}'),
      JSON.parse('{"userName":"a","name":{"__proto__":{"polluted":"yes"}}}'),
      { userName: 'a', constructor: { prototype: { polluted: 'yes' } } },
    ];

    for (const body of bodies) expectScimError(() => normalizeResource('User', body, CREATE), 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('coerceValue', () => {
  const user = resolverFor('User');
  const def = (name: string, schema?: string) => user(schema, name)!.definition;

  it.each([
    ['active', 'True', true],
    ['active', 'FALSE', false],
    ['active', false, false],
    ['emails', { value: 'a@b' }, [{ value: 'a@b' }]],
    ['emails', [], []],
    ['emails', [{ value: 'a@b', $ref: undefined }], [{ value: 'a@b' }]],
    ['displayName', null, undefined],
    ['name', {}, undefined],
    ['x509Certificates', [{ value: 'MIIDQzCCAqygAwIBAgICEAAw' }], [{ value: 'MIIDQzCCAqygAwIBAgICEAAw' }]],
  ])('should coerce %s = %j to %j', (name, value, expected) => {
    expect(coerceValue(def(name), value, name)).toEqual(expected);
  });

  it("should coerce Entra's bare manager id for a PATCH value", () => {
    expect(coerceValue(def('manager', ENTERPRISE_USER_SCHEMA), '271', 'manager')).toEqual({ value: '271' });
  });

  it('should coerce integer and decimal strings when unambiguous', () => {
    const integer = { ...def('active'), type: 'integer' as const };
    const decimal = { ...def('active'), type: 'decimal' as const };

    expect(coerceValue(integer, '42', 'n')).toBe(42);
    expect(coerceValue(integer, -7, 'n')).toBe(-7);
    expect(coerceValue(decimal, '1.5e2', 'd')).toBe(150);
    expectScimError(() => coerceValue(integer, '4.2', 'n'), 400, 'invalidValue');
    expectScimError(() => coerceValue(integer, '0x10', 'n'), 400, 'invalidValue');
    expectScimError(() => coerceValue(decimal, 'NaN', 'd'), 400, 'invalidValue');
    expectScimError(() => coerceValue(decimal, Infinity, 'd'), 400, 'invalidValue');
  });

  it('should validate dateTime and binary values', () => {
    const created = user(undefined, 'meta')!.definition.subAttributes!.find((s) => s.name === 'created')!;

    expect(coerceValue(created, '2026-01-31T12:00:00Z', 'meta.created')).toBe('2026-01-31T12:00:00Z');
    expectScimError(() => coerceValue(created, 'yesterday', 'meta.created'), 400, 'invalidValue');
    expectScimError(
      () => coerceValue(def('x509Certificates'), [{ value: '<not base64>' }], 'x509Certificates'),
      400,
      'invalidValue',
    );
  });

  it('should name the attribute path in type errors', () => {
    const error = expectScimError(() => coerceValue(def('active'), 1, 'active'), 400, 'invalidValue');

    expect(error.message).toBe("attribute 'active' must be a boolean");
  });

  it('should reject unsafe keys inside a value even without a prior body scan', () => {
    const value = JSON.parse('{"value":"a","__proto__":{"polluted":true}}');

    expectScimError(() => coerceValue(def('emails'), value, 'emails'), 400, 'invalidValue');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('isUnsafeKey', () => {
  it.each(['__proto__', 'constructor', 'prototype', '__PROTO__', 'Constructor'])('should flag %s', (key) => {
    expect(isUnsafeKey(key)).toBe(true);
  });

  it.each(['userName', 'proto', '$ref', 'constructors'])('should not flag %s', (key) => {
    expect(isUnsafeKey(key)).toBe(false);
  });
});
