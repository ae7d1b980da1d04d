/** Shared fixtures for the PATCH engine tests: frozen resources as the storage layer returns them, and PatchOp bodies. */
import type { ScimResource } from '../../../shared/scim/types';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const USER_ID = '2819c223-7f76-453a-919d-413861904646';
export const GROUP_ID = 'e9e30dba-f08f-4109-8486-d5c6a331660a';
export const MANAGER_ID = '26118915-6090-4610-87e4-49d8ca9f808d';
export const ALICE = '3b5a4b2c-1111-4f6e-9a0e-000000000001';
export const BOB = '3b5a4b2c-2222-4f6e-9a0e-000000000002';
export const CAROL = '3b5a4b2c-3333-4f6e-9a0e-000000000003';

/** Recursively freezes a value, so that any mutation by the code under test throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}

const META = {
  resourceType: 'User',
  created: '2026-01-05T10:00:00Z',
  lastModified: '2026-01-05T10:00:00Z',
  version: 'W/"1"',
};

/** Barbara Jensen, normalised, with one work email; `extra` members override or add attributes. */
export function bjensen(extra: Record<string, unknown> = {}): ScimResource {
  return deepFreeze({
    schemas: [USER_SCHEMA],
    id: USER_ID,
    externalId: 'bjensen',
    userName: 'bjensen@example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
    meta: META,
    ...extra,
  });
}

/** Barbara with the enterprise extension: a department and a manager. */
export function bjensenWithManager(): ScimResource {
  return bjensen({
    schemas: [USER_SCHEMA, ENTERPRISE],
    [ENTERPRISE]: {
      department: 'Tour Operations',
      manager: { value: MANAGER_ID, displayName: 'John Smith' },
    },
  });
}

export function group(extra: Record<string, unknown> = {}): ScimResource {
  return deepFreeze({
    schemas: [GROUP_SCHEMA],
    id: GROUP_ID,
    displayName: 'Tour Guides',
    meta: { ...META, resourceType: 'Group' },
    ...extra,
  });
}

/** A PatchOp message as an identity provider sends it. */
export function patchBody(...operations: unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations };
}
