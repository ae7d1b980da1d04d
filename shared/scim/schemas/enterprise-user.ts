/** RFC 7643 §4.3 / §8.7.1: the Enterprise User extension schema as data. */
import type { SchemaDefinition } from '../types';
import { attribute, deepFreeze, ENTERPRISE_USER_SCHEMA } from './common';

export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaDefinition = deepFreeze({
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute(
      'employeeNumber',
      'string',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    ),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    attribute(
      'manager',
      'complex',
      "The User's manager. A bare string value is accepted as the manager's id (Entra ID sends one).",
      {
        subAttributes: [
          attribute('value', 'string', "The id of the SCIM resource representing the User's manager."),
          attribute('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.", {
            referenceTypes: ['User'],
          }),
          attribute('displayName', 'string', "The displayName of the User's manager. Read-only.", {
            mutability: 'readOnly',
          }),
        ],
      },
    ),
  ],
});
