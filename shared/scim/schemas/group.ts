/** RFC 7643 §4.2 / §8.7.1: the core Group schema as data. */
import type { SchemaDefinition } from '../types';
import { attribute, deepFreeze, GROUP_SCHEMA } from './common';

export const GROUP_SCHEMA_DEFINITION: SchemaDefinition = deepFreeze({
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute(
      'displayName',
      'string',
      'A human-readable name for the Group. Unique across the tenant, compared case-insensitively. REQUIRED.',
      // RFC 7643 §8.7.1 lists displayName as optional and not unique; Entra ID requires a unique group displayName
      // and matches groups by it, so scimgate requires it and enforces uniqueness.
      { required: true, uniqueness: 'server' },
    ),
    attribute('members', 'complex', 'A list of members of the Group (Users or Groups).', {
      multiValued: true,
      subAttributes: [
        attribute('value', 'string', 'Identifier of the member of this Group (the id of a User or Group).', {
          mutability: 'immutable',
        }),
        attribute(
          '$ref',
          'reference',
          'The URI corresponding to a SCIM resource that is a member of this Group.',
          {
            mutability: 'immutable',
            referenceTypes: ['User', 'Group'],
          },
        ),
        attribute('display', 'string', 'A human-readable name for the member, as sent by the client.', {
          mutability: 'immutable',
        }),
        attribute('type', 'string', "A label indicating the type of resource: 'User' or 'Group'.", {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
    }),
  ],
});
