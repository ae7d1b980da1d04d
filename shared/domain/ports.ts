/**
 * Ports the SCIM domain declares; adapters (DynamoDB, local files, AWS) implement them. No SDK types here.
 */
import type { ScimResource } from '../scim/types';

export type ResourceKind = 'User' | 'Group';

/** Where a request's data lives: the tenant (from the verified credential) and one of its SCIM endpoints. */
export interface Scope {
  tenantId: string;
  endpointId: string;
}

export interface IndexValues {
  /** userName (User) or displayName (Group): unique per scope, case-insensitively. */
  name: string;
  externalId?: string;
  /** The value of the user's `emails[type eq "work"]` entry, if any. */
  workEmail?: string;
}

export interface StoredResource {
  id: string;
  kind: ResourceKind;
  /** The normalised resource without id, meta and (for groups) members. */
  data: ScimResource;
  version: number;
  created: string;
  lastModified: string;
  /** Ids of the groups this resource is a direct member of. */
  memberOf: string[];
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

export interface ListPage {
  items: StoredResource[];
  /** Opaque key to continue after the last item, absent at the end. */
  next?: string;
}

export interface ResourceRepository {
  /** One transaction: the item, its uniqueness guard, the counter, and the initial members. 409 on a taken name. */
  create(scope: Scope, resource: StoredResource, index: IndexValues, members: MemberRef[]): Promise<void>;
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
  /** Deletes the resource, its guard and its memberships. Throws `VersionConflict` if `expectedVersion` moved. */
  delete(scope: Scope, existing: StoredResource, index: IndexValues): Promise<void>;
  findByIndex(
    scope: Scope,
    kind: ResourceKind,
    index: keyof IndexValues,
    value: string,
  ): Promise<StoredResource[]>;
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
  listMembers(scope: Scope, groupId: string): Promise<StoredMember[]>;
  /**
   * Adds and removes members: O(members changed), never reads the member list. Bumps the group's version.
   * 404 if the group is gone; 400 invalidValue if an added member does not exist.
   */
  changeMembers(
    scope: Scope,
    groupId: string,
    changes: { add: MemberRef[]; remove: string[] },
    now: string,
  ): Promise<void>;
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
