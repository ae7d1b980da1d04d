import {
  ENTERPRISE_USER_SCHEMA,
  findSubAttribute,
  GROUP_SCHEMA,
  MS_GROUP_SCHEMA,
  RESOURCE_TYPES,
  resolvePath,
  resolverFor,
  SCIM11_CORE_SCHEMA,
  SCIM11_ENTERPRISE_SCHEMA,
  schemaUrnRole,
  splitAttributePath,
  USER_SCHEMA,
} from '../../../shared/scim/schemas';

describe('attribute resolver', () => {
  const user = resolverFor('User');
  const group = resolverFor('Group');

  it.each([
    [undefined, 'userName', 'userName'],
    [undefined, 'USERNAME', 'userName'],
    [undefined, 'Active', 'active'],
    [undefined, 'phonenumbers', 'phoneNumbers'],
    [undefined, 'X509CERTIFICATES', 'x509Certificates'],
    [USER_SCHEMA, 'emails', 'emails'],
    [USER_SCHEMA.toLowerCase(), 'Emails', 'emails'],
    [SCIM11_CORE_SCHEMA, 'userName', 'userName'],
  ])('should resolve User core attribute (%s, %s) to %s', (schema, name, canonical) => {
    const resolved = user(schema, name);

    expect(resolved?.definition.name).toBe(canonical);
    expect(resolved?.schema).toBe(USER_SCHEMA);
    expect(resolved?.extension).toBe(false);
  });

  it.each([
    [ENTERPRISE_USER_SCHEMA, 'department', 'department'],
    [ENTERPRISE_USER_SCHEMA.toUpperCase(), 'Manager', 'manager'],
    [SCIM11_ENTERPRISE_SCHEMA, 'employeeNumber', 'employeeNumber'],
    [undefined, 'costcenter', 'costCenter'],
  ])('should resolve enterprise attribute (%s, %s) as an extension attribute', (schema, name, canonical) => {
    const resolved = user(schema, name);

    expect(resolved?.definition.name).toBe(canonical);
    expect(resolved?.schema).toBe(ENTERPRISE_USER_SCHEMA);
    expect(resolved?.extension).toBe(true);
  });

  it.each(['id', 'externalId', 'meta'])(
    'should resolve common attribute %s for both resource types',
    (name) => {
      expect(user(undefined, name.toUpperCase())?.definition.name).toBe(name);
      expect(group(undefined, name)?.definition.name).toBe(name);
      expect(group(GROUP_SCHEMA, name)?.schema).toBe(GROUP_SCHEMA);
    },
  );

  it('should give common attributes their RFC 7643 §3.1 characteristics', () => {
    expect(user(undefined, 'id')?.definition).toMatchObject({
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
    });
    expect(user(undefined, 'externalId')?.definition).toMatchObject({
      caseExact: true,
      mutability: 'readWrite',
    });
    expect(user(undefined, 'meta')?.definition.subAttributes?.map((s) => s.name)).toEqual([
      'resourceType',
      'created',
      'lastModified',
      'location',
      'version',
    ]);
  });

  it('should resolve Group attributes and not User ones', () => {
    expect(group(undefined, 'DisplayName')?.definition.name).toBe('displayName');
    expect(group(SCIM11_CORE_SCHEMA, 'members')?.definition.name).toBe('members');
    expect(group(undefined, 'userName')).toBeUndefined();
    expect(group(ENTERPRISE_USER_SCHEMA, 'department')).toBeUndefined();
  });

  it('should not resolve unknown names, unknown schemas or the wrong core schema', () => {
    expect(user(undefined, 'favouriteColour')).toBeUndefined();
    expect(user('urn:example:custom', 'userName')).toBeUndefined();
    expect(user(GROUP_SCHEMA, 'displayName')).toBeUndefined();
    expect(user(undefined, '__proto__')).toBeUndefined();
    expect(user(undefined, 'constructor')).toBeUndefined();
  });

  it('should find sub-attributes case-insensitively', () => {
    const emails = user(undefined, 'emails')!.definition;
    const manager = user(ENTERPRISE_USER_SCHEMA, 'manager')!.definition;

    expect(findSubAttribute(emails, 'PRIMARY')?.name).toBe('primary');
    expect(findSubAttribute(manager, 'Value')?.name).toBe('value');
    expect(findSubAttribute(manager, '$REF')?.name).toBe('$ref');
    expect(findSubAttribute(emails, 'nope')).toBeUndefined();
  });

  it('should split URN-qualified and dotted paths', () => {
    expect(splitAttributePath('name.givenName')).toEqual({ attr: 'name', sub: 'givenName' });
    expect(splitAttributePath(`${ENTERPRISE_USER_SCHEMA}:manager.value`)).toEqual({
      schema: ENTERPRISE_USER_SCHEMA,
      attr: 'manager',
      sub: 'value',
    });
    expect(splitAttributePath(`${USER_SCHEMA}:userName`)).toEqual({ schema: USER_SCHEMA, attr: 'userName' });
    expect(splitAttributePath('urn:example:custom:attr')).toEqual({
      schema: 'urn:example:custom',
      attr: 'attr',
    });
  });

  it('should resolve full paths to the attribute and sub-attribute definitions', () => {
    const path = resolvePath(
      'User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:Manager.Value',
    );

    expect(path?.attribute.definition.name).toBe('manager');
    expect(path?.sub?.name).toBe('value');
    expect(resolvePath('User', 'emails.unknown')).toBeUndefined();
  });

  it('should classify schema URNs per resource type', () => {
    expect(schemaUrnRole('User', 'urn:scim:schemas:core:1.0')).toEqual({ role: 'core', urn: USER_SCHEMA });
    expect(schemaUrnRole('Group', MS_GROUP_SCHEMA.toLowerCase())?.role).toBe('ignored');
    expect(schemaUrnRole('User', MS_GROUP_SCHEMA)).toBeUndefined();
    expect(schemaUrnRole('Group', ENTERPRISE_USER_SCHEMA)).toBeUndefined();
  });

  it('should declare the User and Group resource types', () => {
    expect(RESOURCE_TYPES.User.schemaExtensions).toEqual([
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
    ]);
    expect(RESOURCE_TYPES.Group).toMatchObject({
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
    });
  });

  it('should keep the schema data frozen', () => {
    const definition = user(undefined, 'userName')!.definition;

    expect(Object.isFrozen(definition)).toBe(true);
    expect(() => {
      (definition as { required: boolean }).required = false;
    }).toThrow(TypeError);
  });
});
