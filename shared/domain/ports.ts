/**
 * Ports the SCIM domain declares; adapters (DynamoDB, local files, AWS) implement them. No SDK types here.
 */
import { ScimError } from '../scim/errors';
import type { ScimResource } from '../scim/types';

export type ResourceKind = 'User' | 'Group';

/** Where a request's data lives: the tenant (from the verified credential) and one of its SCIM endpoints. */
export interface Scope {
  tenantId: string;
  endpointId: string;
  /**
   * Who writes through this scope (the request's credential and the IdP its User-Agent names): recorded on every
   * item a write puts or updates, in the same write, so the change stream can attribute it (docs/events.md).
   */
  writer?: { credentialId: string; idp: string | null };
  /**
   * This request's own record (docs/decisions/0018): once the edge knows what a successful write answers
   * (`onSuccess`), the transaction that commits the write carries the record too, when it has room, and sets
   * `written`; the edge then writes it only if the answer differs (or nothing carried it).
   */
  record?: RequestRecordRider;
}

export interface RequestRecordRider {
  /** The record's item, as the credential repository lays it out (its key stays the same if it is rewritten). */
  item(status: number): Record<string, unknown>;
  /** The status the request answers if its write commits; unset for requests that write nothing. */
  onSuccess?: number;
  written: boolean;
}

export interface IndexValues {
  /** userName (User) or displayName (Group): unique per scope, case-insensitively. */
  name: string;
  externalId?: string;
  /** Every `emails[type eq "work"]` value of a user, in order. */
  workEmails?: string[];
}

/** The indexes a filter term can be answered from. */
export type IndexName = 'name' | 'externalId' | 'workEmail';

export interface StoredResource {
  id: string;
  kind: ResourceKind;
  /** The normalised resource without id, meta and (for groups) members. */
  data: ScimResource;
  version: number;
  created: string;
  lastModified: string;
}

export interface MemberRef {
  value: string;
  type?: ResourceKind;
  display?: string;
}

export interface StoredMember {
  value: string;
  type: ResourceKind;
  display?: string;
}

/** A group a resource is a direct member of (from the byMember index). */
export interface MemberGroup {
  value: string;
  display?: string;
}

/**
 * The most members a group may have for its whole member list to be read in one request: a representation of the
 * group (GET), and the difference a `replace` of all members computes (PATCH replace of `members`, PUT). A larger
 * group answers `400 tooMany` to both (docs/decisions/0014-*.md).
 */
export const MEMBER_LIST_BOUND = 10_000;

/**
 * A replace of the whole member list of a group larger than MEMBER_LIST_BOUND: refused before anything is written
 * (its difference would grow with the group). Adds and removes have no such limit.
 */
export function tooLargeToReplace(groupId: string): ScimError {
  return ScimError.tooMany(
    `Group ${groupId} has more than ${MEMBER_LIST_BOUND} members: its whole member list cannot be replaced in ` +
      `one request (PATCH replace of members, or PUT); nothing was changed. Change its members with PATCH add ` +
      `and remove (path members[value eq "<id>"]), which have no size limit`,
  );
}

/**
 * A group DELETE by a credential limited to e-mail domains checks that every member is a user it may see; past
 * MEMBER_LIST_BOUND that check would grow with the group, so the delete is refused before anything is written.
 */
export function tooLargeToCheck(groupId: string): ScimError {
  return ScimError.tooMany(
    `Group ${groupId} has more than ${MEMBER_LIST_BOUND} members: a credential limited to e-mail domains cannot ` +
      `check them all in one request, so it cannot delete the group; nothing was changed. Delete it with a ` +
      `credential that is not limited to e-mail domains`,
  );
}

/** Member changes of one request; `replaceAll` is the whole desired list (diffed against the stored one). */
export interface MemberChanges {
  add: MemberRef[];
  remove: string[];
  replaceAll?: MemberRef[];
}

/** New data for the group written in the same commit as its member changes (PUT, PATCH of other attributes). */
export interface GroupDataWrite {
  next: StoredResource;
  index: IndexValues;
  previous: IndexValues;
  expectedVersion: number;
}

export interface MemberChangeResult {
  /** False when nothing was written (every change was a no-op). */
  changed: boolean;
  version: number;
  lastModified: string;
}

export interface ListPage {
  items: StoredResource[];
  /** Opaque key to continue after the last item, absent at the end. */
  next?: string;
}

export interface ResourceRepository {
  /**
   * Creates the resource with its initial members, all or nothing at any size; returns the members as stored.
   * 409 on a taken name, 400 invalidValue when a member does not exist.
   */
  create(
    scope: Scope,
    resource: StoredResource,
    index: IndexValues,
    members: MemberRef[],
  ): Promise<StoredMember[]>;
  /** One strongly consistent read. */
  get(scope: Scope, kind: ResourceKind, id: string): Promise<StoredResource | undefined>;
  /**
   * Writes `next` if the stored version is still `expectedVersion`; moves the uniqueness guard when the name
   * changed. Throws `VersionConflict` when the version moved, ScimError 409 on a taken name, 404 when gone.
   */
  replace(
    scope: Scope,
    next: StoredResource,
    index: IndexValues,
    previous: IndexValues,
    expectedVersion: number,
  ): Promise<void>;
  /**
   * Deletes the resource and its guard in a constant number of round trips; its memberships disappear from every
   * read at once and are removed in the background. Throws `VersionConflict` if the version moved.
   */
  delete(scope: Scope, existing: StoredResource, index: IndexValues): Promise<void>;
  findByIndex(scope: Scope, kind: ResourceKind, index: IndexName, value: string): Promise<StoredResource[]>;
  /** Resources in id order (stable), `limit` at most, continuing after `after`. */
  list(scope: Scope, kind: ResourceKind, options: { after?: string; limit: number }): Promise<ListPage>;
  /** Ids only, cheap paging for `startIndex` skips. */
  listIds(
    scope: Scope,
    kind: ResourceKind,
    options: { after?: string; limit: number },
  ): Promise<{ ids: string[]; next?: string }>;
  /** How many resources of the kind exist, and how many were ever deleted (the bookmarks' generation). */
  count(scope: Scope, kind: ResourceKind): Promise<{ total: number; deletions: number }>;
  /**
   * The bookmark with the greatest position ≤ `position` (position n = the n-th resource in id order), if it was
   * written under the same `deletions` count: a delete shifts every later position, so older bookmarks are void.
   */
  findBookmark(
    scope: Scope,
    kind: ResourceKind,
    position: number,
    deletions: number,
  ): Promise<{ position: number; id: string } | undefined>;
  /**
   * Remembers that the resource at `position` has `id` (expires after a day); `deletions` is the count read before
   * the page was read.
   */
  putBookmark(
    scope: Scope,
    kind: ResourceKind,
    position: number,
    id: string,
    deletions: number,
  ): Promise<void>;
  batchGet(scope: Scope, kind: ResourceKind, ids: string[]): Promise<StoredResource[]>;
  /**
   * The committed members of a group (members being deleted left out). With `limit`, reads a bounded number of
   * items: more than `limit` members returned means the group has more than `limit`.
   */
  listMembers(scope: Scope, groupId: string, limit?: number): Promise<StoredMember[]>;
  /** The groups a user or group is a direct member of (one index query, in parallel with nothing else needed). */
  groupsOf(scope: Scope, memberId: string): Promise<MemberGroup[]>;
  /**
   * Applies member changes (and optionally new group data) all or nothing, at any size: O(members changed) writes,
   * the member list is read only for `replaceAll` (and only up to MEMBER_LIST_BOUND: a larger group answers
   * `400 tooMany`). Bumps the version and lastModified when anything changed, and
   * writes nothing for a no-op. 404 if the group is gone; 400 invalidValue if an added member does not exist;
   * `VersionConflict` when `data.expectedVersion` moved.
   */
  changeMembers(
    scope: Scope,
    groupId: string,
    changes: MemberChanges,
    now: string,
    data?: GroupDataWrite,
  ): Promise<MemberChangeResult>;
}

/** Thrown by adapters when an optimistic-concurrency condition on the version failed. */
export class VersionConflict extends Error {
  constructor() {
    super('version conflict');
    this.name = 'VersionConflict';
  }
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
