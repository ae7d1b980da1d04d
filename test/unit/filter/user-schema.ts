/** A hand-written slice of the SCIM User schemas and a resolver over it, shared by the filter tests. */
import type { AttributeDefinition, AttributeResolver, AttributeType } from '../../../shared/scim/types';

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function attr(
  name: string,
  type: AttributeType,
  extra: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description: name,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...extra,
  };
}

/** A hand-written slice of the User schemas: enough to cover every attribute type the evaluator handles. */
export const CORE_ATTRIBUTES: AttributeDefinition[] = [
  attr('id', 'string', { caseExact: true, mutability: 'readOnly' }),
  attr('userName', 'string', { uniqueness: 'server' }),
  attr('name', 'complex', { subAttributes: [attr('givenName', 'string'), attr('familyName', 'string')] }),
  attr('emails', 'complex', {
    multiValued: true,
    subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')],
  }),
  attr('active', 'boolean'),
  attr('meta', 'complex', {
    subAttributes: [attr('created', 'dateTime'), attr('lastModified', 'dateTime')],
  }),
  // Not in RFC 7643's User: here to cover integer, decimal and binary comparisons.
  attr('loginCount', 'integer'),
  attr('score', 'decimal'),
  attr('x509Certificates', 'complex', { multiValued: true, subAttributes: [attr('value', 'binary')] }),
];
export const ENTERPRISE_ATTRIBUTES: AttributeDefinition[] = [
  attr('employeeNumber', 'string'),
  attr('manager', 'complex', { subAttributes: [attr('value', 'string'), attr('displayName', 'string')] }),
];

const byName = (attributes: AttributeDefinition[], name: string) =>
  attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());

/** Unqualified names look in the core schema first, then in the extension. */
export const resolve: AttributeResolver = (schema, name) => {
  const inCore = schema === undefined || schema.toLowerCase() === CORE.toLowerCase();
  const inExtension = schema === undefined || schema.toLowerCase() === ENTERPRISE.toLowerCase();
  const core = inCore ? byName(CORE_ATTRIBUTES, name) : undefined;
  if (core) return { schema: CORE, extension: false, definition: core };
  const extension = inExtension ? byName(ENTERPRISE_ATTRIBUTES, name) : undefined;
  if (extension) return { schema: ENTERPRISE, extension: true, definition: extension };
  return undefined;
};
