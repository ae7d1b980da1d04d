/**
 * Change events: what an application learns about the users, groups and credentials of a tenant (issue 12). One zod
 * schema is the shape of an event: the producer (./produce.ts) builds it from the table's change stream.
 */
import * as z from 'zod/mini';

export const RESOURCE_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
] as const;

export const CREDENTIAL_EVENT_TYPES = [
  'credential.created',
  'credential.rotated',
  'credential.expiring',
  'credential.expired',
  'credential.revoked',
  'credential.deactivated_idle',
] as const;

export const EVENT_TYPES = [...RESOURCE_EVENT_TYPES, ...CREDENTIAL_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Who made the change. For SCIM writes: the credential that authenticated the request and the identity provider its
 * User-Agent named (recorded on the written item in the same write). For credential events: the management caller,
 * `system` (jobs) or `idp`. Null when the store cannot know it: a DynamoDB delete carries no attributes, so deletions
 * and member removals are not attributed.
 */
export const ActorSchema = z.object({
  credentialId: z.nullable(z.string()),
  idp: z.nullable(z.string()),
  principal: z.optional(z.string()),
});
export type Actor = z.infer<typeof ActorSchema>;

export const ChangeEventSchema = z.object({
  /** Unique and stable across redeliveries: derived from the change record (deduplicate on it). */
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  tenant: z.string(),
  /** SCIM endpoint of the resource; absent for credential events. */
  endpoint: z.optional(z.string()),
  resourceType: z.enum(['User', 'Group', 'Credential']),
  resourceId: z.string(),
  /** Resource version after the change (the ETag's number); absent where the change has none (members, credentials). */
  version: z.optional(z.number()),
  /** When the change was written (ISO 8601). */
  time: z.string(),
  actor: z.nullable(ActorSchema),
  /** Attribute paths a `user.updated` / `group.updated` changed. */
  changedAttributes: z.optional(z.array(z.string())),
  /** The member a `group.member_added` / `group.member_removed` is about. */
  member: z.optional(z.object({ value: z.string(), type: z.enum(['User', 'Group']) })),
  /** The resource after the change (SCIM representation without members; never a secret); absent on deletion. */
  data: z.optional(z.record(z.string(), z.unknown())),
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
