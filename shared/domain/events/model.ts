/**
 * Change events: what an application learns about the users, groups and credentials of a tenant (docs/events.md).
 * One zod schema is the shape of an event everywhere: the producer builds it, the store keeps it, the events API,
 * EventBridge and the Security Event Tokens carry it.
 */
import * as z from 'zod/mini';

/** `source` of the events on the EventBridge bus. */
export const EVENT_SOURCE = 'scimgate';

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
 * and member removals are not attributed (docs/events.md).
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
  version: z.optional(z.int()),
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

export const EVENTS_DEFAULT_LIMIT = 100;
export const EVENTS_MAX_LIMIT = 1000;

/** Query of the events API (`GET …/events`): the cursor to read after, the page size, the form. */
export const eventsQuery = z.strictObject({
  after: z.optional(z.string().check(z.maxLength(64))),
  limit: z.optional(
    z.string().check(z.regex(/^[0-9]{1,4}$/, { error: `must be an integer from 1 to ${EVENTS_MAX_LIMIT}` })),
  ),
  format: z.optional(z.enum(['json', 'set'])),
});

/** An event as the events API lists it: with `set`, the signed SET, when asked for with `format=set`. */
export const ListedEventSchema = z.extend(ChangeEventSchema, { set: z.optional(z.string()) });

/** A page of the events API: the events and the cursor to continue from. */
export const EventsPageSchema = z.object({ events: z.array(ListedEventSchema), next: z.string() });
export type EventsPage = z.infer<typeof EventsPageSchema>;

/** An event with its Security Event Token (RFC 9967), when a signer is configured. */
export interface EventEntry {
  event: ChangeEvent;
  set?: string;
}

/** An event as the events API returns it: with its position in the tenant's ordered log. */
export interface StoredEvent extends EventEntry {
  /** Opaque cursor: pass it as `after` to read what follows. */
  cursor: string;
}

/** Where events are kept for the events API: one ordered log per tenant. */
export interface EventStore {
  /** Appends in order; an event whose id is already stored is skipped (idempotent on redelivery). */
  append(entries: EventEntry[]): Promise<void>;
  /**
   * Events after `after` (exclusive; undefined = the oldest retained), oldest first, at most `limit`. `next` is the
   * cursor to continue from (the given one when nothing new is readable yet).
   */
  read(
    tenantId: string,
    options: { after?: string; limit: number },
  ): Promise<{ events: StoredEvent[]; next?: string }>;
}

/** Where events are delivered besides the store (EventBridge in AWS, a webhook URL locally). */
export interface EventPublisher {
  publish(entries: EventEntry[]): Promise<void>;
}

/** Signs an event as a Security Event Token (RFC 8417, profiled by RFC 9967). */
export interface EventSigner {
  sign(event: ChangeEvent): Promise<string>;
}

/** The identity provider a SCIM client's User-Agent names (lower-case id), or null when unknown. */
export function idpFromUserAgent(userAgent: string | undefined): string | null {
  const ua = (userAgent ?? '').toLowerCase();
  if (!ua) return null;
  const known: [RegExp, string][] = [
    [/azure active directory|microsoft|entra|aad/, 'entra'],
    [/okta/, 'okta'],
    [/onelogin/, 'onelogin'],
    [/jumpcloud/, 'jumpcloud'],
    [/ping/, 'ping'],
    [/google/, 'google'],
    [/rippling/, 'rippling'],
    [/scimgate/, 'scimgate'],
  ];
  for (const [re, name] of known) if (re.test(ua)) return name;
  return 'other';
}
