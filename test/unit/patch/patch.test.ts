/**
 * The PATCH engine against what identity providers send (docs: idp-behaviour.md), as fixture tables per IdP, then
 * the RFC 7644 §3.5.2 rules and the error table. Every body goes through parsePatchRequest then applyPatch, and every
 * current resource is deep-frozen, so a mutation of the input fails the test.
 */
import { ScimError, type ScimStatus, type ScimType } from '../../../shared/scim/errors';
import {
  applyPatch,
  MAX_PATCH_OPERATIONS,
  parsePatchRequest,
  type MemberChanges,
  type PatchResult,
} from '../../../shared/scim/patch';
import type { ScimResource } from '../../../shared/scim/types';
import {
  ALICE,
  BOB,
  bjensen,
  bjensenWithManager,
  CAROL,
  ENTERPRISE,
  group,
  GROUP_ID,
  GROUP_SCHEMA,
  MANAGER_ID,
  PATCH_OP,
  patchBody,
  USER_ID,
  USER_SCHEMA,
} from './fixtures';

const NO_MEMBER_CHANGES: MemberChanges = { add: [], remove: [] };

function patch(type: 'User' | 'Group', current: ScimResource, body: unknown): PatchResult {
  return applyPatch(type, current, parsePatchRequest(body));
}

/** A PATCH that must succeed: `resource` is matched (toMatchObject), `absent` lists attributes that must be gone. */
interface Fixture {
  name: string;
  type: 'User' | 'Group';
  current: ScimResource;
  body: Record<string, unknown>;
  resource?: Record<string, unknown>;
  absent?: string[];
  members?: MemberChanges;
  changed?: boolean;
}

function expectFixture(fixture: Fixture): void {
  const result = patch(fixture.type, fixture.current, fixture.body);
  expect(result.resource).toMatchObject(fixture.resource ?? {});
  for (const name of fixture.absent ?? []) expect(result.resource).not.toHaveProperty([name]);
  expect(result.members).toEqual(fixture.members ?? NO_MEMBER_CHANGES);
  expect(result.changed).toBe(fixture.changed ?? true);
  expect(result.resource.id).toBe(fixture.current.id);
  expect(result.resource.meta).toEqual(fixture.current.meta);
}

describe('Entra ID, default dialect', () => {
  const fixtures: Fixture[] = [
    {
      name: 'should deactivate a user with a capitalised Replace and the string "False"',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'Replace', path: 'active', value: 'False' }),
      resource: { active: false },
    },
    {
      name: 'should accept a real boolean in the same dialect',
      type: 'User',
      current: bjensen({ active: false }),
      body: patchBody({ op: 'Replace', path: 'active', value: true }),
      resource: { active: true },
    },
    {
      name: 'should upsert a work email when a value-path Replace finds none',
      type: 'User',
      current: bjensen({ emails: [{ value: 'babs@home.example', type: 'home' }] }),
      body: patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'babs@work.example' }),
      resource: {
        emails: [
          { value: 'babs@home.example', type: 'home' },
          { type: 'work', value: 'babs@work.example' },
        ],
      },
    },
    {
      name: 'should replace the existing work email in place on a value-path Replace',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'barbara@example.com' }),
      resource: { emails: [{ value: 'barbara@example.com', type: 'work', primary: true }] },
    },
    {
      name: 'should add an enterprise department with Add on a URN path and list the extension schema',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'Add',
        path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
        value: 'Tour Operations',
      }),
      resource: { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Tour Operations' } },
    },
    {
      name: 'should read a bare manager string as { value }',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'Add', path: `${ENTERPRISE}:manager`, value: '271' }),
      resource: { [ENTERPRISE]: { manager: { value: '271' } } },
    },
    {
      name: 'should change the manager with Replace and drop the old manager displayName',
      type: 'User',
      current: bjensenWithManager(),
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '272' }),
      resource: { [ENTERPRISE]: { department: 'Tour Operations', manager: { value: '272' } } },
    },
    {
      name: 'should remove the manager on a Replace with an empty string',
      type: 'User',
      current: bjensenWithManager(),
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }),
      resource: { [ENTERPRISE]: { department: 'Tour Operations' } },
    },
    {
      name: 'should remove the manager on a Replace with { "value": "" }',
      type: 'User',
      current: bjensenWithManager(),
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: '' } }),
      resource: { [ENTERPRISE]: { department: 'Tour Operations' } },
    },
    {
      name: 'should remove the manager on a Replace with null and drop an emptied extension block',
      type: 'User',
      current: bjensen({
        schemas: [USER_SCHEMA, ENTERPRISE],
        [ENTERPRISE]: { manager: { value: MANAGER_ID } },
      }),
      body: patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: null }),
      resource: { schemas: [USER_SCHEMA] },
      absent: [ENTERPRISE],
    },
    {
      name: 'should add roles whose value is a JSON-encoded string, keeping the string as sent',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'Add',
        path: 'roles',
        value: [
          { value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' },
        ],
      }),
      resource: {
        roles: [
          { value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' },
        ],
      },
    },
    {
      name: 'should upsert the primary role on roles[primary eq "True"].value',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Admin' }),
      resource: { roles: [{ primary: true, value: 'Admin' }] },
    },
    {
      name: 'should clear attributes replaced with empty strings then nulls',
      type: 'User',
      current: bjensen({ nickName: 'Babs', title: 'Tour Guide' }),
      body: patchBody(
        { op: 'Replace', path: 'nickName', value: '' },
        { op: 'Replace', path: 'name.givenName', value: '' },
        { op: 'Replace', path: 'title', value: null },
        { op: 'Replace', path: 'displayName', value: null },
      ),
      resource: { name: { familyName: 'Jensen' } },
      absent: ['nickName', 'title', 'displayName'],
    },
    {
      name: 'should accept attribute names in any case',
      type: 'User',
      current: bjensen(),
      body: patchBody(
        { op: 'Replace', path: 'UserName', value: 'babs@example.com' },
        { op: 'Replace', path: 'Emails[Type eq "work"].Primary', value: 'False' },
        { op: 'Replace', path: 'NAME.GIVENNAME', value: 'Babs' },
      ),
      resource: {
        userName: 'babs@example.com',
        emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }],
        name: { givenName: 'Babs', familyName: 'Jensen' },
      },
    },
    {
      name: 'should add several members from an Add value array with "$ref": null',
      type: 'Group',
      current: group(),
      body: patchBody({
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: ALICE },
          { $ref: null, value: BOB },
        ],
      }),
      resource: { displayName: 'Tour Guides' },
      absent: ['members'],
      members: { add: [{ value: ALICE }, { value: BOB }], remove: [] },
    },
    {
      name: 'should remove members listed in a Remove value list',
      type: 'Group',
      current: group(),
      body: patchBody({
        op: 'Remove',
        path: 'members',
        value: [
          { $ref: null, value: ALICE },
          { $ref: null, value: BOB },
        ],
      }),
      members: { add: [], remove: [ALICE, BOB] },
    },
    {
      name: 'should rename a group with a capitalised Replace on displayName',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'Replace', path: 'displayName', value: 'Senior Tour Guides' }),
      resource: { displayName: 'Senior Tour Guides', schemas: [GROUP_SCHEMA] },
    },
  ];

  it.each(fixtures)('$name', (fixture) => {
    expectFixture(fixture);
  });
});

describe('Entra ID, aadOptscim062020 dialect', () => {
  const fixtures: Fixture[] = [
    {
      name: 'should deactivate with a lowercase replace and a boolean false',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'active', value: false }),
      resource: { active: false },
    },
    {
      name: 'should apply a multi-attribute path-less replace with dotted and URN-prefixed keys',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'replace',
        value: {
          displayName: 'Barbara J.',
          'name.givenName': 'Barb',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': '701984',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager': MANAGER_ID,
        },
      }),
      resource: {
        schemas: [USER_SCHEMA, ENTERPRISE],
        displayName: 'Barbara J.',
        name: { givenName: 'Barb', familyName: 'Jensen' },
        [ENTERPRISE]: { employeeNumber: '701984', manager: { value: MANAGER_ID } },
      },
    },
    {
      name: 'should accept a value path as a key of a path-less replace, upserting the work email',
      type: 'User',
      current: bjensen({ emails: undefined }),
      body: patchBody({
        op: 'replace',
        value: { 'emails[type eq "work"].value': 'barbara@example.com', 'name.familyName': 'Jensen-Smith' },
      }),
      resource: {
        emails: [{ type: 'work', value: 'barbara@example.com' }],
        name: { givenName: 'Barbara', familyName: 'Jensen-Smith' },
      },
    },
    {
      name: 'should remove a member by a members[value eq "<id>"] filter',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: `members[value eq "${ALICE}"]` }),
      members: { add: [], remove: [ALICE] },
    },
    {
      name: 'should remove several members by an or-chain of value eq',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: `members[value eq "${ALICE}" or value eq "${BOB}"]` }),
      members: { add: [], remove: [ALICE, BOB] },
    },
    {
      name: 'should add members with a lowercase add',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'add', path: 'members', value: [{ value: CAROL }] }),
      members: { add: [{ value: CAROL }], remove: [] },
    },
  ];

  it.each(fixtures)('$name', (fixture) => {
    expectFixture(fixture);
  });
});

describe('Okta', () => {
  const fixtures: Fixture[] = [
    {
      name: 'should deactivate with a path-less replace of active',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', value: { active: false } }),
      resource: { active: false },
    },
    {
      name: 'should activate with a path-less replace of active',
      type: 'User',
      current: bjensen({ active: false }),
      body: patchBody({ op: 'replace', value: { active: true } }),
      resource: { active: true },
    },
    {
      name: "should set a new password with a path-less replace (write-only, kept for the caller's hashing)",
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', value: { password: 'n3w-Secret!' } }),
      resource: { password: 'n3w-Secret!' },
    },
    {
      name: "should rename a group when the replace echoes the group's own id",
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'replace', value: { id: GROUP_ID, displayName: 'Tour Leads' } }),
      resource: { id: GROUP_ID, displayName: 'Tour Leads' },
    },
    {
      name: 'should remove a member with members[value eq "<id>"]',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: `members[value eq "${BOB}"]` }),
      members: { add: [], remove: [BOB] },
    },
    {
      name: 'should add members with a value list, canonicalising the member type',
      type: 'Group',
      current: group(),
      body: patchBody({
        op: 'add',
        path: 'members',
        value: [
          { value: ALICE, display: 'alice@example.com', type: 'user' },
          { value: BOB, type: 'GROUP' },
        ],
      }),
      members: {
        add: [
          { value: ALICE, display: 'alice@example.com', type: 'User' },
          { value: BOB, type: 'Group' },
        ],
        remove: [],
      },
    },
    {
      name: 'should turn a full replace of members into replaceAll',
      type: 'Group',
      current: group({ members: [{ value: CAROL }] }),
      body: patchBody({ op: 'replace', path: 'members', value: [{ value: ALICE }, { value: BOB }] }),
      absent: ['members'],
      members: { add: [], remove: [], replaceAll: [{ value: ALICE }, { value: BOB }] },
    },
    {
      name: 'should turn a path-less replace carrying members into replaceAll plus the rename',
      type: 'Group',
      current: group(),
      body: patchBody({
        op: 'replace',
        value: { id: GROUP_ID, displayName: 'Tour Leads', members: [{ value: ALICE, display: 'alice' }] },
      }),
      resource: { displayName: 'Tour Leads' },
      members: { add: [], remove: [], replaceAll: [{ value: ALICE, display: 'alice' }] },
    },
  ];

  it.each(fixtures)('$name', (fixture) => {
    expectFixture(fixture);
  });
});

describe('RFC 7644 §3.5.2 semantics', () => {
  const fixtures: Fixture[] = [
    {
      name: 'should append to a multi-valued attribute and skip identical values',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'add',
        path: 'emails',
        value: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@home.example', type: 'home' },
        ],
      }),
      resource: {
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@home.example', type: 'home' },
        ],
      },
    },
    {
      name: 'should clear primary on the other elements when a new element is primary',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'add',
        path: 'emails',
        value: [{ value: 'babs@home.example', primary: 'True' }],
      }),
      resource: {
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: false },
          { value: 'babs@home.example', primary: true },
        ],
      },
    },
    {
      name: 'should clear primary on the others when a value path sets primary',
      type: 'User',
      current: bjensen({
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@home.example', type: 'home' },
        ],
      }),
      body: patchBody({ op: 'replace', path: 'emails[type eq "home"].primary', value: true }),
      resource: {
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: false },
          { value: 'babs@home.example', type: 'home', primary: true },
        ],
      },
    },
    {
      name: 'should replace a whole multi-valued attribute',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'replace',
        path: 'emails',
        value: [{ value: 'new@example.com', type: 'other' }],
      }),
      resource: { emails: [{ value: 'new@example.com', type: 'other' }] },
    },
    {
      name: 'should wrap a single object given for a multi-valued attribute',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'phoneNumbers', value: { value: '+1 555 0100', type: 'work' } }),
      resource: { phoneNumbers: [{ value: '+1 555 0100', type: 'work' }] },
    },
    {
      name: 'should merge an object into the elements matched by a value path',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'replace',
        path: 'emails[type eq "work"]',
        value: { display: 'Work', primary: false },
      }),
      resource: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: false, display: 'Work' }] },
    },
    {
      name: 'should upsert from an and-filter of eq terms with an object value',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'add',
        path: 'addresses[type eq "work" and country eq "US"]',
        value: { locality: 'Hollywood', region: 'CA' },
      }),
      resource: { addresses: [{ type: 'work', country: 'US', locality: 'Hollywood', region: 'CA' }] },
    },
    {
      name: 'should merge sub-attributes of a singular complex attribute on replace',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'name', value: { givenName: 'Babs', middleName: 'Jane' } }),
      resource: { name: { givenName: 'Babs', middleName: 'Jane', familyName: 'Jensen' } },
    },
    {
      name: 'should set a sub-attribute through a dotted path, creating the complex attribute',
      type: 'User',
      current: bjensen({ name: undefined }),
      body: patchBody({ op: 'add', path: 'name.familyName', value: 'Jensen' }),
      resource: { name: { familyName: 'Jensen' } },
    },
    {
      name: 'should remove the elements matched by a value filter',
      type: 'User',
      current: bjensen({
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@home.example', type: 'home' },
        ],
      }),
      body: patchBody({ op: 'remove', path: 'emails[type eq "work"]' }),
      resource: { emails: [{ value: 'babs@home.example', type: 'home' }] },
    },
    {
      name: 'should remove a sub-attribute of the matched elements only',
      type: 'User',
      current: bjensen({
        emails: [
          { value: 'bjensen@example.com', type: 'work', display: 'Work' },
          { value: 'babs@home.example', type: 'home', display: 'Home' },
        ],
      }),
      body: patchBody({ op: 'remove', path: 'emails[type eq "work"].display' }),
      resource: {
        emails: [
          { value: 'bjensen@example.com', type: 'work' },
          { value: 'babs@home.example', type: 'home', display: 'Home' },
        ],
      },
    },
    {
      name: 'should drop an element whose value is removed, leaving no empty email behind',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'remove', path: 'emails[type eq "work"].value' }),
      absent: ['emails'],
    },
    {
      name: 'should treat the removal of an absent attribute as a no-op',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'remove', path: 'nickName' }, { op: 'remove', path: 'emails[type eq "home"]' }),
      changed: false,
    },
    {
      name: 'should report no change when a replace repeats the current values',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', value: { active: 'True', displayName: 'Babs Jensen', id: USER_ID } }),
      changed: false,
    },
    {
      name: 'should accept an extension block keyed by its URN in a path-less add',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'add',
        value: { [ENTERPRISE.toLowerCase()]: { Department: 'Tours', manager: { Value: MANAGER_ID } } },
      }),
      resource: { [ENTERPRISE]: { department: 'Tours', manager: { value: MANAGER_ID } } },
    },
    {
      name: 'should remove a whole extension when the path is its URN',
      type: 'User',
      current: bjensenWithManager(),
      body: patchBody({ op: 'remove', path: ENTERPRISE }),
      resource: { schemas: [USER_SCHEMA] },
      absent: [ENTERPRISE],
    },
    {
      name: 'should ignore a readOnly sub-attribute inside a complex value, as a PUT does',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'add',
        path: `${ENTERPRISE}:manager`,
        value: { value: MANAGER_ID, displayName: 'X' },
      }),
      resource: { [ENTERPRISE]: { manager: { value: MANAGER_ID } } },
    },
    {
      name: 'should apply operations in order',
      type: 'User',
      current: bjensen(),
      body: patchBody(
        { op: 'replace', path: 'displayName', value: 'First' },
        { op: 'remove', path: 'displayName' },
        { op: 'add', path: 'displayName', value: 'Third' },
      ),
      resource: { displayName: 'Third' },
    },
  ];

  it.each(fixtures)('$name', (fixture) => {
    expectFixture(fixture);
  });
});

describe('Group membership folding', () => {
  const fixtures: Fixture[] = [
    {
      name: 'should let a later remove cancel an earlier add of the same id (the remove is kept)',
      type: 'Group',
      current: group(),
      body: patchBody(
        { op: 'add', path: 'members', value: [{ value: ALICE }, { value: BOB }] },
        { op: 'remove', path: `members[value eq "${ALICE}"]` },
      ),
      members: { add: [{ value: BOB }], remove: [ALICE] },
    },
    {
      name: 'should let a later add cancel an earlier remove of the same id',
      type: 'Group',
      current: group(),
      body: patchBody(
        { op: 'remove', path: 'members', value: [{ value: ALICE }] },
        { op: 'add', path: 'members', value: [{ value: ALICE }] },
      ),
      members: { add: [{ value: ALICE }], remove: [] },
    },
    {
      name: 'should clear every member on a remove of members without a value',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: 'members' }),
      members: { add: [], remove: [], replaceAll: [] },
    },
    {
      name: 'should fold adds and removes after a replace into the replacement list',
      type: 'Group',
      current: group(),
      body: patchBody(
        { op: 'replace', path: 'members', value: [{ value: ALICE }, { value: BOB }] },
        { op: 'add', path: 'members', value: [{ value: CAROL }] },
        { op: 'remove', path: 'members', value: [{ value: ALICE }] },
      ),
      members: { add: [], remove: [], replaceAll: [{ value: BOB }, { value: CAROL }] },
    },
    {
      name: 'should treat an empty member list as nothing to add or remove',
      type: 'Group',
      current: group(),
      body: patchBody(
        { op: 'add', path: 'members', value: [] },
        { op: 'remove', path: 'members', value: [] },
      ),
      members: NO_MEMBER_CHANGES,
      changed: false,
    },
    {
      name: 'should keep stored members out of the resulting resource',
      type: 'Group',
      current: group({ members: [{ value: CAROL, type: 'User' }] }),
      body: patchBody({ op: 'replace', path: 'displayName', value: 'Renamed' }),
      resource: { displayName: 'Renamed' },
      absent: ['members'],
    },
  ];

  it.each(fixtures)('$name', (fixture) => {
    expectFixture(fixture);
  });
});

/** A PATCH that must fail: status, scimType and a fragment of the detail. */
interface ErrorFixture {
  name: string;
  type: 'User' | 'Group';
  current: ScimResource;
  body: unknown;
  status: ScimStatus;
  scimType: ScimType;
  detail: string;
}

describe('invalid requests', () => {
  const tooMany = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({
    op: 'replace',
    path: 'active',
    value: true,
  }));
  const fixtures: ErrorFixture[] = [
    {
      name: 'should reject a body that is not an object',
      type: 'User',
      current: bjensen(),
      body: [{ op: 'add' }],
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'must be a JSON object',
    },
    {
      name: 'should reject a message without Operations',
      type: 'User',
      current: bjensen(),
      body: { schemas: [PATCH_OP] },
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'no "Operations"',
    },
    {
      name: 'should reject Operations that is not an array',
      type: 'User',
      current: bjensen(),
      body: { schemas: [PATCH_OP], Operations: { op: 'add' } },
      status: 400,
      scimType: 'invalidSyntax',
      detail: '"Operations" must be an array',
    },
    {
      name: 'should reject an empty Operations array',
      type: 'User',
      current: bjensen(),
      body: patchBody(),
      status: 400,
      scimType: 'invalidValue',
      detail: 'at least one operation',
    },
    {
      name: 'should reject more than 1000 operations',
      type: 'User',
      current: bjensen(),
      body: patchBody(...tooMany),
      status: 400,
      scimType: 'invalidValue',
      detail: 'at most 1000',
    },
    {
      name: 'should reject a message without the PatchOp schema',
      type: 'User',
      current: bjensen(),
      body: { schemas: [USER_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: false }] },
      status: 400,
      scimType: 'invalidSyntax',
      detail: PATCH_OP,
    },
    {
      name: 'should reject a message without schemas',
      type: 'User',
      current: bjensen(),
      body: { Operations: [{ op: 'replace', path: 'active', value: false }] },
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'no "schemas"',
    },
    {
      name: 'should reject an unknown op',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'move', path: 'active', value: false }),
      status: 400,
      scimType: 'invalidSyntax',
      detail: "Operations[0].op 'move' is not supported",
    },
    {
      name: 'should reject an operation without op',
      type: 'User',
      current: bjensen(),
      body: patchBody({ path: 'active', value: false }),
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'Operations[0].op is required',
    },
    {
      name: 'should reject an add without a value',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'add', path: 'nickName' }),
      status: 400,
      scimType: 'invalidSyntax',
      detail: '"add" needs a "value"',
    },
    {
      name: 'should reject a path-less replace whose value is not an object',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', value: 'Babs' }),
      status: 400,
      scimType: 'invalidValue',
      detail: 'needs an object "value"',
    },
    {
      name: 'should reject a remove without a path with noTarget',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'remove' }),
      status: 400,
      scimType: 'noTarget',
      detail: '"remove" needs a "path"',
    },
    {
      name: 'should reject a malformed path',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
      status: 400,
      scimType: 'invalidPath',
      detail: 'Operations[0].path',
    },
    {
      name: 'should reject an unknown attribute',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'add', path: 'favouriteColour', value: 'blue' }),
      status: 400,
      scimType: 'invalidPath',
      detail: "unknown attribute 'favouriteColour'",
    },
    {
      name: 'should reject an unknown attribute in a path-less value',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', value: { displayName: 'B', shoeSize: 42 } }),
      status: 400,
      scimType: 'invalidPath',
      detail: "unknown attribute 'shoeSize'",
    },
    {
      name: 'should reject an unknown sub-attribute inside a complex value',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'name', value: { nickname: 'B' } }),
      status: 400,
      scimType: 'invalidValue',
      detail: "unknown attribute 'name.nickname'",
    },
    {
      name: 'should reject a change of meta',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }),
      status: 400,
      scimType: 'mutability',
      detail: "'meta.created' is read-only",
    },
    {
      name: 'should reject the read-only groups in a path-less add',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'add', value: { groups: [{ value: GROUP_ID }] } }),
      status: 400,
      scimType: 'mutability',
      detail: "'groups' is read-only",
    },
    {
      name: "should reject an id that differs from the resource's id",
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'replace', value: { id: 'another-id', displayName: 'X' } }),
      status: 400,
      scimType: 'mutability',
      detail: "'id' is read-only",
    },
    {
      name: 'should reject a read-only sub-attribute named by the path',
      type: 'User',
      current: bjensenWithManager(),
      body: patchBody({ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'Jane' }),
      status: 400,
      scimType: 'mutability',
      detail: 'manager.displayName',
    },
    {
      name: 'should reject a boolean that is not a boolean',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'active', value: 'yes' }),
      status: 400,
      scimType: 'invalidValue',
      detail: "'active' must be a boolean",
    },
    {
      name: 'should reject an object for a string attribute',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', value: { displayName: { text: 'B' } } }),
      status: 400,
      scimType: 'invalidValue',
      detail: "'displayName' must be a string",
    },
    {
      name: 'should refuse to remove userName',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'remove', path: 'userName' }),
      status: 400,
      scimType: 'mutability',
      detail: "'userName' is required",
    },
    {
      name: 'should refuse to empty userName',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'Replace', path: 'userName', value: '' }),
      status: 400,
      scimType: 'invalidValue',
      detail: "'userName' is required",
    },
    {
      name: 'should refuse to remove the displayName of a group',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: 'displayName' }),
      status: 400,
      scimType: 'mutability',
      detail: "'displayName' is required",
    },
    {
      name: 'should reject a members filter other than value eq',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: 'members[display eq "Alice"]' }),
      status: 400,
      scimType: 'invalidFilter',
      detail: 'only "value eq"',
    },
    {
      name: 'should reject a members filter mixing value eq with and',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'remove', path: `members[value eq "${ALICE}" and type eq "User"]` }),
      status: 400,
      scimType: 'invalidFilter',
      detail: 'only "value eq"',
    },
    {
      name: 'should reject a member without an id',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'add', path: 'members', value: [{ display: 'Alice' }] }),
      status: 400,
      scimType: 'invalidValue',
      detail: "members[0].value must be the member's id",
    },
    {
      name: 'should reject a member type other than User or Group',
      type: 'Group',
      current: group(),
      body: patchBody({ op: 'add', path: 'members', value: [{ value: ALICE, type: 'Device' }] }),
      status: 400,
      scimType: 'invalidValue',
      detail: 'members[0].type must be "User" or "Group"',
    },
    {
      name: 'should reject members on a User',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'add', path: 'members', value: [{ value: ALICE }] }),
      status: 400,
      scimType: 'invalidPath',
      detail: "unknown attribute 'members'",
    },
    {
      name: 'should reject an upsert through a filter that cannot describe a new element',
      type: 'User',
      current: bjensen(),
      body: patchBody({
        op: 'replace',
        path: 'emails[type eq "home" or type eq "other"].value',
        value: 'x@y',
      }),
      status: 400,
      scimType: 'noTarget',
      detail: 'can only be created from "eq" terms',
    },
    {
      name: 'should reject a value filter on a single-valued attribute',
      type: 'User',
      current: bjensen(),
      body: patchBody({ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'J' }),
      status: 400,
      scimType: 'invalidPath',
      detail: "'name' is single-valued",
    },
    {
      name: 'should name the failing operation',
      type: 'User',
      current: bjensen(),
      body: patchBody(
        { op: 'replace', path: 'active', value: false },
        { op: 'replace', path: 'displayName', value: 'ok' },
        { op: 'replace', path: 'active', value: 'maybe' },
      ),
      status: 400,
      scimType: 'invalidValue',
      detail: 'Operations[2]:',
    },
  ];

  it.each(fixtures)('$name', ({ type, current, body, status, scimType, detail }) => {
    let caught: unknown;
    try {
      patch(type, current, body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScimError);
    const error = caught as ScimError;
    expect({ status: error.status, scimType: error.scimType }).toEqual({ status, scimType });
    expect(error.message).toContain(detail);
  });
});

describe('parsePatchRequest', () => {
  it('should accept the schema URN and member names in any case and normalise ops', () => {
    const operations = parsePatchRequest({
      SCHEMAS: [PATCH_OP.toUpperCase()],
      operations: [
        { Op: 'Add', Path: ' nickName ', Value: 'Babs' },
        { OP: 'REMOVE', path: 'title' },
        { op: 'Replace', path: '', value: { active: false } },
      ],
    });

    expect(operations).toEqual([
      { op: 'add', path: 'nickName', value: 'Babs' },
      { op: 'remove', path: 'title' },
      { op: 'replace', value: { active: false } },
    ]);
  });

  it('should reject a member given twice in different cases', () => {
    expect(() =>
      parsePatchRequest({
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', Op: 'remove', path: 'x', value: 1 }],
      }),
    ).toThrow(/"op" is given more than once/);
  });
});

describe('applyPatch atomicity', () => {
  it('should leave the frozen input untouched and return nothing when a later operation fails', () => {
    const current = bjensen();
    const snapshot = JSON.stringify(current);

    expect(() =>
      patch(
        'User',
        current,
        patchBody(
          { op: 'replace', path: 'displayName', value: 'Changed' },
          { op: 'remove', path: 'userName' },
        ),
      ),
    ).toThrow(ScimError);
    expect(JSON.stringify(current)).toBe(snapshot);
  });

  it('should return objects that share nothing with the input', () => {
    const current = bjensen();

    const { resource } = patch('User', current, patchBody({ op: 'replace', path: 'nickName', value: 'B' }));

    expect(resource.emails).toEqual(current.emails);
    expect(resource.emails).not.toBe(current.emails);
    expect(Object.isFrozen(resource.meta)).toBe(false);
  });
});
