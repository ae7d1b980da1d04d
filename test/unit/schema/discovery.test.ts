import {
  buildResourceType,
  buildResourceTypeList,
  buildSchema,
  buildSchemaList,
  buildServiceProviderConfig,
  FILTER_MAX_RESULTS,
  type AttributeDocument,
  type SchemaDocument,
} from '../../../shared/scim/schemas/discovery';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../../shared/scim/schemas';
import { expectScimError } from './scim-error';

const BASE = 'https://scim.example.com/t/acme/scim/v2/';
const ROOT = 'https://scim.example.com/t/acme/scim/v2';

const CHARACTERISTICS = [
  'name',
  'type',
  'multiValued',
  'description',
  'required',
  'caseExact',
  'mutability',
  'returned',
  'uniqueness',
];

function schemaDoc(id: string): SchemaDocument {
  const doc = buildSchemaList(BASE).Resources.find((s) => s.id === id);
  if (!doc) throw new Error(`schema ${id} missing from /Schemas`);
  return doc;
}

function attr(doc: SchemaDocument, path: string): AttributeDocument {
  const [top, sub] = path.split('.');
  const found = doc.attributes.find((a) => a.name === top);
  const result = sub === undefined ? found : found?.subAttributes?.find((a) => a.name === sub);
  if (!result) throw new Error(`${path} missing from ${doc.id}`);
  return result;
}

function allAttributes(list: AttributeDocument[]): AttributeDocument[] {
  return list.flatMap((a) => [a, ...allAttributes(a.subAttributes ?? [])]);
}

describe('discovery documents', () => {
  describe('/ServiceProviderConfig', () => {
    it('should advertise patch, filter, sort and etag, and no bulk or password change', () => {
      const doc = buildServiceProviderConfig(BASE);

      expect(doc.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      expect(doc.patch).toEqual({ supported: true });
      expect(doc.bulk.supported).toBe(false);
      expect(doc.filter).toEqual({ supported: true, maxResults: 1000 });
      expect(FILTER_MAX_RESULTS).toBe(1000);
      expect(doc.changePassword).toEqual({ supported: false });
      expect(doc.sort).toEqual({ supported: true });
      expect(doc.etag).toEqual({ supported: true });
    });

    it('should carry the RFC 9865 pagination block', () => {
      expect(buildServiceProviderConfig(BASE).pagination).toEqual({
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: 100,
        maxPageSize: 1000,
        cursorTimeout: 3600,
      });
    });

    it('should list the bearer token and HTTP basic authentication schemes', () => {
      const schemes = buildServiceProviderConfig(BASE).authenticationSchemes;

      expect(schemes.map((s) => s.type)).toEqual(['oauthbearertoken', 'httpbasic']);
      for (const scheme of schemes) {
        expect(scheme.name.length).toBeGreaterThan(0);
        expect(scheme.description.length).toBeGreaterThan(0);
      }
    });

    it('should build meta.location from the base URL without a double slash', () => {
      expect(buildServiceProviderConfig(BASE).meta).toEqual({
        resourceType: 'ServiceProviderConfig',
        location: `${ROOT}/ServiceProviderConfig`,
      });
    });
  });

  describe('/ResourceTypes', () => {
    it('should list User with the optional enterprise extension and Group as a ListResponse', () => {
      const list = buildResourceTypeList(BASE);

      expect(list.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      expect(list.totalResults).toBe(2);
      expect(list.itemsPerPage).toBe(2);
      expect(list.startIndex).toBe(1);
      expect(list.Resources).toEqual([
        {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
          id: 'User',
          name: 'User',
          endpoint: '/Users',
          description: 'User Account',
          schema: USER_SCHEMA,
          schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
          meta: { resourceType: 'ResourceType', location: `${ROOT}/ResourceTypes/User` },
        },
        {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
          id: 'Group',
          name: 'Group',
          endpoint: '/Groups',
          description: 'Group',
          schema: GROUP_SCHEMA,
          schemaExtensions: [],
          meta: { resourceType: 'ResourceType', location: `${ROOT}/ResourceTypes/Group` },
        },
      ]);
    });

    it('should find a resource type by id in any case', () => {
      expect(buildResourceType(BASE, 'group').id).toBe('Group');
    });

    it('should answer 404 for an unknown resource type', () => {
      expectScimError(() => buildResourceType(BASE, 'Device'), 404);
    });
  });

  describe('/Schemas', () => {
    it('should list the User, Enterprise User and Group schemas with Schema meta', () => {
      const list = buildSchemaList(BASE);

      expect(list.totalResults).toBe(3);
      expect(list.Resources.map((s) => s.id)).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]);
      for (const doc of list.Resources) {
        expect(doc.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
        expect(doc.meta).toEqual({ resourceType: 'Schema', location: `${ROOT}/Schemas/${doc.id}` });
      }
    });

    it('should list every User attribute of RFC 7643 §4.1 and no common attribute', () => {
      const names = schemaDoc(USER_SCHEMA).attributes.map((a) => a.name);

      expect(names).toEqual([
        'userName',
        'name',
        'displayName',
        'nickName',
        'profileUrl',
        'title',
        'userType',
        'preferredLanguage',
        'locale',
        'timezone',
        'active',
        'password',
        'emails',
        'phoneNumbers',
        'ims',
        'photos',
        'addresses',
        'groups',
        'entitlements',
        'roles',
        'x509Certificates',
      ]);
    });

    it('should list every Enterprise User and Group attribute', () => {
      expect(schemaDoc(ENTERPRISE_USER_SCHEMA).attributes.map((a) => a.name)).toEqual([
        'employeeNumber',
        'costCenter',
        'organization',
        'division',
        'department',
        'manager',
      ]);
      expect(attr(schemaDoc(ENTERPRISE_USER_SCHEMA), 'manager').subAttributes?.map((a) => a.name)).toEqual([
        'value',
        '$ref',
        'displayName',
      ]);
      expect(schemaDoc(GROUP_SCHEMA).attributes.map((a) => a.name)).toEqual(['displayName', 'members']);
      expect(attr(schemaDoc(GROUP_SCHEMA), 'members').subAttributes?.map((a) => a.name)).toEqual([
        'value',
        '$ref',
        'display',
        'type',
      ]);
    });

    it('should give every attribute and sub-attribute all RFC 7643 §7 characteristics', () => {
      const attributes = buildSchemaList(BASE).Resources.flatMap((doc) => allAttributes(doc.attributes));

      // 67 User, 9 Enterprise User and 6 Group attributes and sub-attributes
      expect(attributes).toHaveLength(82);
      for (const a of attributes) {
        for (const key of CHARACTERISTICS) expect(a).toHaveProperty(key);
        expect(a.description.length).toBeGreaterThan(0);
      }
      for (const a of attributes.filter((x) => x.type === 'complex')) {
        expect(a.subAttributes?.length).toBeGreaterThan(0);
      }
      for (const a of attributes.filter((x) => x.type === 'reference')) {
        expect(a.referenceTypes?.length).toBeGreaterThan(0);
      }
    });

    it.each([
      ['emails.type', ['work', 'home', 'other']],
      ['phoneNumbers.type', ['work', 'home', 'mobile', 'fax', 'pager', 'other']],
      ['ims.type', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']],
      ['photos.type', ['photo', 'thumbnail']],
      ['addresses.type', ['work', 'home', 'other']],
      ['groups.type', ['direct', 'indirect']],
    ])('should give User %s its canonical values', (path, values) => {
      expect(attr(schemaDoc(USER_SCHEMA), path).canonicalValues).toEqual(values);
    });

    it('should give Group members.type the canonical values User and Group', () => {
      expect(attr(schemaDoc(GROUP_SCHEMA), 'members.type').canonicalValues).toEqual(['User', 'Group']);
    });

    it('should describe userName as required, server-unique and case-insensitive', () => {
      expect(attr(schemaDoc(USER_SCHEMA), 'userName')).toMatchObject({
        type: 'string',
        required: true,
        caseExact: false,
        mutability: 'readWrite',
        returned: 'default',
        uniqueness: 'server',
      });
    });

    it('should describe password as write-only and never returned', () => {
      expect(attr(schemaDoc(USER_SCHEMA), 'password')).toMatchObject({
        mutability: 'writeOnly',
        returned: 'never',
      });
    });

    it('should describe groups as read-only and returned on request, saying so in the description', () => {
      const groups = attr(schemaDoc(USER_SCHEMA), 'groups');

      expect(groups).toMatchObject({ multiValued: true, mutability: 'readOnly', returned: 'request' });
      expect(groups.description).toMatch(/only when/i);
    });

    it('should describe active as a boolean and emails as multi-valued complex', () => {
      expect(attr(schemaDoc(USER_SCHEMA), 'active').type).toBe('boolean');
      expect(attr(schemaDoc(USER_SCHEMA), 'emails')).toMatchObject({ type: 'complex', multiValued: true });
      expect(attr(schemaDoc(USER_SCHEMA), 'emails.primary').type).toBe('boolean');
      expect(attr(schemaDoc(USER_SCHEMA), 'x509Certificates.value').type).toBe('binary');
    });

    it('should describe manager.displayName as read-only and members.value as immutable', () => {
      expect(attr(schemaDoc(ENTERPRISE_USER_SCHEMA), 'manager.displayName').mutability).toBe('readOnly');
      expect(attr(schemaDoc(GROUP_SCHEMA), 'members.value').mutability).toBe('immutable');
    });

    it('should describe Group displayName as required and server-unique', () => {
      expect(attr(schemaDoc(GROUP_SCHEMA), 'displayName')).toMatchObject({
        required: true,
        uniqueness: 'server',
      });
    });

    it('should find a schema by URN in any case', () => {
      expect(buildSchema(BASE, ENTERPRISE_USER_SCHEMA.toUpperCase()).id).toBe(ENTERPRISE_USER_SCHEMA);
    });

    it('should answer 404 for an unknown schema', () => {
      expectScimError(() => buildSchema(BASE, 'urn:example:unknown'), 404);
    });

    it('should return fresh documents that callers cannot use to mutate the schema data', () => {
      const doc = buildSchema(BASE, USER_SCHEMA);
      doc.attributes[0]!.name = 'mutated';

      expect(buildSchema(BASE, USER_SCHEMA).attributes[0]!.name).toBe('userName');
    });
  });
});
