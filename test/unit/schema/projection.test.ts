import fc from 'fast-check';
import { parseAttributeList, projectResource, wantsAttribute } from '../../../shared/scim/projection';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../../shared/scim/schemas';
import type { ScimResource } from '../../../shared/scim/types';

const META = {
  resourceType: 'User',
  created: '2026-01-01T00:00:00Z',
  lastModified: '2026-01-02T00:00:00Z',
  location: 'https://scim.example.com/v2/Users/u-1',
  version: 'W/"3"',
};

function storedUser(): ScimResource {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: 'u-1',
    externalId: 'ext-1',
    meta: { ...META },
    userName: 'bjensen@example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    displayName: 'Babs',
    active: true,
    password: 'hunter2',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    groups: [{ value: 'g-1', display: 'Admins', type: 'direct' }],
    [ENTERPRISE_USER_SCHEMA]: {
      department: 'Tour Operations',
      manager: { value: 'm-1', displayName: 'John' },
    },
  };
}

function storedGroup(): ScimResource {
  return {
    schemas: [GROUP_SCHEMA],
    id: 'g-1',
    meta: { ...META, resourceType: 'Group' },
    displayName: 'Admins',
    members: [{ value: 'u-1', display: 'Babs', type: 'User' }],
  };
}

describe('parseAttributeList', () => {
  it('should split on commas, trim and drop empty names', () => {
    expect(parseAttributeList(' userName , name.givenName,,emails ')).toEqual([
      'userName',
      'name.givenName',
      'emails',
    ]);
  });

  it('should give an empty list for a missing or empty parameter', () => {
    expect(parseAttributeList(undefined)).toEqual([]);
    expect(parseAttributeList('')).toEqual([]);
  });

  it('should read a name with a value filter as the name itself, commas in the filter included', () => {
    expect(parseAttributeList('emails[type eq "work"],userName')).toEqual(['emails', 'userName']);
    expect(parseAttributeList('emails[type eq "a,b" or type eq "]"].value , name')).toEqual([
      'emails.value',
      'name',
    ]);
  });

  it('should give the plain names back for any list of names, with or without value filters', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.:]{0,20}$/);
    const filter = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 20 }).map((v) => `[type eq ${JSON.stringify(v)}]`),
      fc.constant('[value eq "x" and (primary eq true or display co ",")]'),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, filter, fc.constantFrom('', '.value')), { maxLength: 6 }),
        (parts) => {
          const param = parts.map(([n, f, sub]) => (f ? `${n}${f}${sub}` : n)).join(' , ');
          const expected = parts.map(([n, f, sub]) => (f ? `${n}${sub}` : n));
          expect(parseAttributeList(param)).toEqual(expected);
        },
      ),
    );
  });
});

describe('projectResource', () => {
  it('should return default attributes, never password, and groups only on request', () => {
    const projected = projectResource('User', storedUser());

    expect(projected).not.toHaveProperty('password');
    expect(projected).not.toHaveProperty('groups');
    expect(projected).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: 'u-1',
      externalId: 'ext-1',
      meta: META,
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      displayName: 'Babs',
      active: true,
      emails: storedUser().emails,
      [ENTERPRISE_USER_SCHEMA]: {
        department: 'Tour Operations',
        manager: { value: 'm-1', displayName: 'John' },
      },
    });
  });

  it('should never return password, even when asked for it', () => {
    expect(
      projectResource('User', storedUser(), { attributes: ['password', 'userName'] }),
    ).not.toHaveProperty('password');
    expect(projectResource('User', storedUser(), { excludedAttributes: ['userName'] })).not.toHaveProperty(
      'password',
    );
  });

  it('should return only the listed attributes plus id and schemas', () => {
    expect(projectResource('User', storedUser(), { attributes: ['userName', 'ACTIVE'] })).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: 'u-1',
      userName: 'bjensen@example.com',
      active: true,
    });
  });

  it('should return groups when listed in attributes', () => {
    const projected = projectResource('User', storedUser(), { attributes: ['groups'] });

    expect(projected.groups).toEqual([{ value: 'g-1', display: 'Admins', type: 'direct' }]);
  });

  it('should select sub-attributes of single and multi-valued complex attributes', () => {
    const projected = projectResource('User', storedUser(), {
      attributes: ['name.givenName', 'emails.value'],
    });

    expect(projected).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: 'u-1',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
    });
  });

  it('should select URN-qualified extension attributes and whole extension blocks', () => {
    const one = projectResource('User', storedUser(), {
      attributes: ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'],
    });
    const block = projectResource('User', storedUser(), {
      attributes: [ENTERPRISE_USER_SCHEMA.toLowerCase()],
    });

    expect(one[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Tour Operations' });
    expect(block[ENTERPRISE_USER_SCHEMA]).toEqual(storedUser()[ENTERPRISE_USER_SCHEMA]);
    expect(block).not.toHaveProperty('userName');
  });

  it('should select URN-qualified core attributes and extension sub-attributes', () => {
    const projected = projectResource('User', storedUser(), {
      attributes: [`${USER_SCHEMA}:userName`, `${ENTERPRISE_USER_SCHEMA}:manager.value`],
    });

    expect(projected.userName).toBe('bjensen@example.com');
    expect(projected[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'm-1' } });
  });

  it('should remove excluded attributes, sub-attributes and extension blocks', () => {
    const projected = projectResource('User', storedUser(), {
      excludedAttributes: ['emails', 'name.familyName', 'Meta', ENTERPRISE_USER_SCHEMA],
    });

    expect(projected).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: 'u-1',
      externalId: 'ext-1',
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara' },
      displayName: 'Babs',
      active: true,
    });
  });

  it('should not let excludedAttributes remove id or schemas', () => {
    const projected = projectResource('User', storedUser(), { excludedAttributes: ['id', 'schemas'] });

    expect(projected.id).toBe('u-1');
    expect(projected.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('should let attributes win when both parameters are given', () => {
    const projected = projectResource('User', storedUser(), {
      attributes: ['userName'],
      excludedAttributes: ['userName'],
    });

    expect(projected.userName).toBe('bjensen@example.com');
  });

  it('should ignore unknown names in either parameter', () => {
    expect(projectResource('User', storedUser(), { excludedAttributes: ['nope', 'emails.nope'] })).toEqual(
      projectResource('User', storedUser()),
    );
    expect(projectResource('User', storedUser(), { attributes: ['nope'] })).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: 'u-1',
    });
  });

  it('should drop members for excludedAttributes=members', () => {
    const projected = projectResource('Group', storedGroup(), { excludedAttributes: ['members'] });

    expect(projected).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'g-1',
      meta: { ...META, resourceType: 'Group' },
      displayName: 'Admins',
    });
  });

  it('should copy only attributes the schemas know', () => {
    const projected = projectResource('Group', {
      ...storedGroup(),
      tenantId: 'secret-tenant',
      internal: { a: 1 },
    });

    expect(projected).not.toHaveProperty('tenantId');
    expect(projected).not.toHaveProperty('internal');
  });

  it('should not mutate the stored resource', () => {
    const stored = storedUser();
    projectResource('User', stored, { attributes: ['name.givenName'] });

    expect(stored).toEqual(storedUser());
  });
});

describe('wantsAttribute', () => {
  it.each([
    [{}, true],
    [{ excludedAttributes: ['members'] }, false],
    [{ excludedAttributes: ['MEMBERS'] }, false],
    [{ excludedAttributes: ['members.display'] }, true],
    [{ attributes: ['displayName'] }, false],
    [{ attributes: ['members.value'] }, true],
    [{ attributes: ['Members'] }, true],
  ])('should decide whether Group members are read for %j', (params, expected) => {
    expect(wantsAttribute('Group', params, 'members')).toBe(expected);
  });

  it('should want User groups only when listed in attributes', () => {
    expect(wantsAttribute('User', {}, 'groups')).toBe(false);
    expect(wantsAttribute('User', { excludedAttributes: ['emails'] }, 'groups')).toBe(false);
    expect(wantsAttribute('User', { attributes: ['groups'] }, 'groups')).toBe(true);
  });

  it('should never want password and always want id', () => {
    expect(wantsAttribute('User', { attributes: ['password'] }, 'password')).toBe(false);
    expect(wantsAttribute('User', { attributes: ['userName'] }, 'id')).toBe(true);
  });
});
