/**
 * SCIM use cases for Users and Groups: create, get, replace, patch, delete, list/search. Pure domain: talks to
 * storage only through the `ResourceRepository` port. Handlers call exactly one method per request.
 */
import { v7 as uuidv7 } from 'uuid';
import { ScimError } from '../scim/errors';
import type { Filter } from '../scim/filter/ast';
import { evaluateFilter, parseFilter, validateFilter } from '../scim/filter';
import { applyPatch, parsePatchRequest } from '../scim/patch';
import { projectResource, wantsAttribute } from '../scim/projection';
import { normalizeResource } from '../scim/resource';
import {
  checkFilterValues,
  checkId,
  checkKeyValue,
  checkResourceSize,
  hasControlCharacters,
} from '../scim/limits';
import {
  GROUP_SCHEMA,
  resolvePath,
  resolverFor,
  schemaUrnRole,
  splitAttributePath,
  USER_SCHEMA,
} from '../scim/schemas';
import type { ScimResource } from '../scim/types';
import {
  MEMBER_LIST_BOUND,
  VersionConflict,
  tooLargeToCheck,
  tooLargeToReplace,
  type Clock,
  type IndexName,
  type IndexValues,
  type MemberChanges,
  type MemberGroup,
  type MemberRef,
  type ResourceKind,
  type ResourceRepository,
  type Scope,
  type StoredMember,
  type StoredResource,
} from './ports';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Filters no index can answer, and sortBy, read the matching set into memory; beyond this they are refused. */
export const MAX_IN_MEMORY_RESULTS = 10_000;
/**
 * Members in one representation of a group (about 2 MB of JSON, well inside Lambda's 6 MB response limit). A larger
 * group is read with excludedAttributes=members and its members found with the membership filters
 * (docs/architecture.md, docs/idp-setup.md).
 */
export const MAX_MEMBERS_IN_RESPONSE = MEMBER_LIST_BOUND;
const OPTIMISTIC_RETRIES = 10;

/** What a request carries besides its body: where it lives and how it wants the answer. */
export interface RequestContext {
  scope: Scope;
  /** SCIM base URL of the endpoint, for meta.location and $ref. */
  baseUrl: string;
  /** Optional write/read guard from the credential (roles, e-mail domains): throws ScimError 403. */
  guard?: ResourceGuard;
}

export interface ResourceGuard {
  /** Limited to e-mail domains: users outside them are hidden, also as group members. */
  limitsUsers: boolean;
  /** Whether the credential holds the role (no throw): `groups` of a user is hidden without groups:read. */
  mayAccess(kind: ResourceKind, write: boolean): boolean;
  /** Role check: throws ScimError 403 insufficient_scope. */
  checkAccess(kind: ResourceKind, write: boolean): void;
  /** E-mail domain check on what is about to be written: throws ScimError 403. */
  checkWrite(kind: ResourceKind, resource: ScimResource): void;
  canRead(kind: ResourceKind, resource: ScimResource): boolean;
}

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

export interface Representation {
  resource: ScimResource;
  etag: string;
  location: string;
}

export interface ListQuery extends Projection {
  filter?: string;
  startIndex?: number;
  count?: number;
  /** RFC 9865: present (possibly empty) when the client pages by cursor. */
  cursor?: string;
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
}

export interface ListResult {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  itemsPerPage: number;
  startIndex?: number;
  nextCursor?: string;
  Resources: ScimResource[];
}

export const etagOf = (version: number): string => `W/"${version}"`;

function endpointOf(kind: ResourceKind): string {
  return kind === 'User' ? 'Users' : 'Groups';
}

function indexValues(kind: ResourceKind, data: ScimResource): IndexValues {
  const name = kind === 'User' ? data.userName : data.displayName;
  const out: IndexValues = { name: typeof name === 'string' ? name : '' };
  if (typeof data.externalId === 'string') out.externalId = data.externalId;
  if (kind === 'User' && Array.isArray(data.emails)) {
    const work = (data.emails as Record<string, unknown>[])
      .filter(
        (e) => typeof e?.type === 'string' && e.type.toLowerCase() === 'work' && typeof e.value === 'string',
      )
      .map((e) => e.value as string);
    if (work.length > 0) out.workEmails = work;
  }
  return out;
}

/** What DynamoDB could not store (over-long keys, an over-large item) or a userName no one can type: 400. */
function checkStorable(kind: ResourceKind, data: ScimResource): IndexValues {
  const index = indexValues(kind, data);
  const nameAttr = kind === 'User' ? 'userName' : 'displayName';
  checkKeyValue(nameAttr, index.name);
  if (kind === 'User' && hasControlCharacters(index.name)) {
    throw ScimError.invalidValue(`attribute 'userName' must not contain control characters`);
  }
  if (index.externalId !== undefined) checkKeyValue('externalId', index.externalId);
  for (const email of index.workEmails ?? []) checkKeyValue('emails[type eq "work"].value', email);
  checkResourceSize(data);
  return index;
}

function checkMemberIds(changes: MemberChanges): void {
  for (const m of [...changes.add, ...(changes.replaceAll ?? [])]) checkId(m.value, 'a member value');
  for (const v of changes.remove) checkId(v, 'a member value');
}

function splitMembers(resource: ScimResource): { data: ScimResource; members: MemberRef[] | undefined } {
  const {
    members,
    id: _id,
    meta: _meta,
    // password is write-only and scimgate does not sync passwords: it is never stored (docs/decisions).
    password: _password,
    ...data
  } = resource as ScimResource & {
    members?: { value: string; type?: string; display?: string }[];
  };
  if (members === undefined) return { data, members: undefined };
  return {
    data,
    members: members.map((m) => {
      checkId(m.value, 'a member value');
      const ref: MemberRef = { value: m.value };
      if (m.type === 'User' || m.type === 'Group') ref.type = m.type;
      if (typeof m.display === 'string') ref.display = m.display;
      return ref;
    }),
  };
}

function checkIfMatch(stored: StoredResource, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const current = etagOf(stored.version);
  const strong = `"${stored.version}"`;
  if (!tags.some((t) => t === current || t === strong)) {
    throw ScimError.preconditionFailed(`If-Match ${ifMatch} does not match the current version ${current}`);
  }
}

/** Jittered exponential backoff between optimistic retries, so writers racing on one resource spread out. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(400, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** Still losing the race after every retry: a retryable 503 with Retry-After (as for throttling), never a 500. */
function busy(kind: ResourceKind, id: string): ScimError {
  const detail = `${kind} ${id} is being modified by concurrent requests; retry later`;
  return new ScimError(503, detail, undefined, { 'retry-after': '1' });
}

export class ScimResources {
  constructor(
    private readonly repo: ResourceRepository,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** The SCIM representation of a stored resource (before projection). */
  private represent(
    ctx: RequestContext,
    stored: StoredResource,
    members?: StoredMember[],
    groups?: ScimResource[],
  ): Representation {
    const location = `${ctx.baseUrl}/${endpointOf(stored.kind)}/${stored.id}`;
    const resource: ScimResource = {
      ...stored.data,
      id: stored.id,
      meta: {
        resourceType: stored.kind,
        created: stored.created,
        lastModified: stored.lastModified,
        version: etagOf(stored.version),
        location,
      },
    };
    if (members) {
      resource.members = members.map((m) => {
        const out: Record<string, unknown> = {
          value: m.value,
          $ref: `${ctx.baseUrl}/${endpointOf(m.type)}/${m.value}`,
          type: m.type,
        };
        if (m.display !== undefined) out.display = m.display;
        return out;
      });
    }
    if (groups) resource.groups = groups;
    return { resource, etag: etagOf(stored.version), location };
  }

  private project(kind: ResourceKind, rep: Representation, projection: Projection): Representation {
    return { ...rep, resource: projectResource(kind, rep.resource, projection) };
  }

  /**
   * The users among `ids` a domain-limited credential may not see (one BatchGet per 100 ids, only for such a
   * credential). Groups and ids that are not users are never hidden.
   */
  private async hiddenUsers(ctx: RequestContext, ids: string[]): Promise<StoredResource[]> {
    const guard = ctx.guard;
    if (!guard?.limitsUsers || ids.length === 0) return [];
    const users = await this.repo.batchGet(ctx.scope, 'User', ids);
    return users.filter((u) => !guard.canRead('User', u.data));
  }

  /** Members without the users the credential's domains hide. */
  private async visibleMembers(ctx: RequestContext, members: StoredMember[]): Promise<StoredMember[]> {
    const hidden = await this.hiddenUsers(
      ctx,
      members.filter((m) => m.type === 'User').map((m) => m.value),
    );
    if (hidden.length === 0) return members;
    const ids = new Set(hidden.map((u) => u.id));
    return members.filter((m) => !ids.has(m.value));
  }

  /** Adding or removing a user the credential's domains hide: 403, as writing that user would be. */
  private async checkMembersWritable(ctx: RequestContext, ids: string[]): Promise<void> {
    const [hidden] = await this.hiddenUsers(ctx, ids);
    if (hidden) ctx.guard?.checkWrite('User', hidden.data);
  }

  /** A user's `groups`, from the byMember index (the caller runs it in parallel with the resource read). */
  private async groupsIfWanted(ctx: RequestContext, kind: ResourceKind, id: string, projection: Projection) {
    if (kind !== 'User' || !wantsAttribute('User', projection, 'groups')) return undefined;
    // Group names are groups data: a credential without groups:read does not see them through a user either.
    if (ctx.guard && !ctx.guard.mayAccess('Group', false)) return undefined;
    return this.groupRefs(ctx, await this.repo.groupsOf(ctx.scope, id));
  }

  private groupRefs(ctx: RequestContext, groups: MemberGroup[]): ScimResource[] {
    return groups.map((g) => {
      const out: ScimResource = { value: g.value, $ref: `${ctx.baseUrl}/Groups/${g.value}`, type: 'direct' };
      if (g.display !== undefined) out.display = g.display;
      return out;
    });
  }

  /**
   * A group's members for a response (without the users the credential's domains hide), bounded: a larger group
   * answers 400 tooMany with what to do instead.
   */
  private async membersForResponse(ctx: RequestContext, id: string): Promise<StoredMember[]> {
    const members = await this.repo.listMembers(ctx.scope, id, MAX_MEMBERS_IN_RESPONSE);
    if (members.length > MAX_MEMBERS_IN_RESPONSE) {
      throw ScimError.tooMany(
        `Group ${id} has more than ${MAX_MEMBERS_IN_RESPONSE} members, more than one response carries; ` +
          `read it with excludedAttributes=members, find a member's groups with ` +
          `filter=members.value eq "<id>", and change members with PATCH`,
      );
    }
    return this.visibleMembers(ctx, members);
  }

  private async load(ctx: RequestContext, kind: ResourceKind, id: string): Promise<StoredResource> {
    checkId(id);
    const stored = await this.repo.get(ctx.scope, kind, id);
    if (!stored || (ctx.guard && !ctx.guard.canRead(kind, stored.data))) {
      throw ScimError.notFound(`${kind} ${id} not found`);
    }
    return stored;
  }

  /**
   * Runs a write conditioned on the version just read. On a conflict: 412 when the client sent If-Match; otherwise
   * backs off and returns false so the caller re-reads and retries, and after the last retry answers 503.
   */
  private async versioned(
    kind: ResourceKind,
    id: string,
    ifMatch: string | undefined,
    attempt: number,
    write: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (e) {
      if (!(e instanceof VersionConflict)) throw e;
      if (ifMatch !== undefined)
        throw ScimError.preconditionFailed(`${kind} ${id} was modified concurrently`);
      if (attempt >= OPTIMISTIC_RETRIES) throw busy(kind, id);
      await backoff(attempt);
      return false;
    }
  }

  /** Writes new data over `current` (guarded, version-checked); undefined means: re-read and retry. */
  private async writeData(
    ctx: RequestContext,
    kind: ResourceKind,
    id: string,
    ifMatch: string | undefined,
    attempt: number,
    current: StoredResource,
    data: ScimResource,
  ): Promise<StoredResource | undefined> {
    ctx.guard?.checkWrite(kind, data);
    const index = checkStorable(kind, data);
    const next: StoredResource = { ...current, data, version: current.version + 1, lastModified: this.now() };
    const written = await this.versioned(kind, id, ifMatch, attempt, () =>
      this.repo.replace(ctx.scope, next, index, indexValues(kind, current.data), current.version),
    );
    return written ? next : undefined;
  }

  async create(
    ctx: RequestContext,
    kind: ResourceKind,
    body: unknown,
    projection: Projection = {},
  ): Promise<Representation> {
    ctx.guard?.checkAccess(kind, true);
    const normalized = normalizeResource(kind, body, { mode: 'create' });
    const { data, members } = splitMembers(normalized);
    ctx.guard?.checkWrite(kind, data);
    const index = checkStorable(kind, data);
    if (members)
      await this.checkMembersWritable(
        ctx,
        members.map((m) => m.value),
      );
    const now = this.now();
    const stored: StoredResource = {
      id: uuidv7(),
      kind,
      data,
      version: 1,
      created: now,
      lastModified: now,
    };
    const written = await this.repo.create(ctx.scope, stored, index, members ?? []);
    const storedMembers = kind === 'Group' ? written : undefined;
    return this.project(kind, this.represent(ctx, stored, storedMembers), projection);
  }

  async get(
    ctx: RequestContext,
    kind: ResourceKind,
    id: string,
    projection: Projection = {},
  ): Promise<Representation> {
    ctx.guard?.checkAccess(kind, false);
    // The resource, and its members or groups, read in parallel.
    const wantsMembers = kind === 'Group' && wantsAttribute('Group', projection, 'members');
    const [stored, members, groups] = await Promise.all([
      this.load(ctx, kind, id),
      wantsMembers ? this.membersForResponse(ctx, id) : undefined,
      this.groupsIfWanted(ctx, kind, id, projection),
    ]);
    return this.project(kind, this.represent(ctx, stored, members, groups), projection);
  }

  /** The current ETag only (one read): for If-None-Match on GET. */
  async currentEtag(ctx: RequestContext, kind: ResourceKind, id: string): Promise<string> {
    ctx.guard?.checkAccess(kind, false);
    return etagOf((await this.load(ctx, kind, id)).version);
  }

  async replace(
    ctx: RequestContext,
    kind: ResourceKind,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    projection: Projection = {},
  ): Promise<Representation> {
    ctx.guard?.checkAccess(kind, true);
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(ctx, kind, id);
      checkIfMatch(current, ifMatch);
      const normalized = normalizeResource(kind, body, { mode: 'replace', existingId: id });
      const { data, members } = splitMembers(normalized);
      if (kind === 'User') {
        const next = await this.writeData(ctx, kind, id, ifMatch, attempt, current, data);
        if (!next) continue;
        return this.project(kind, this.represent(ctx, next), projection);
      }
      // A group's data and members change in one commit, all or nothing (only what differs is written).
      const next = await this.writeGroup(ctx, id, ifMatch, attempt, current, data, {
        add: [],
        remove: [],
        replaceAll: members ?? [],
      });
      if (!next) continue;
      const finalMembers = await this.membersForResponse(ctx, id);
      return this.project(kind, this.represent(ctx, next, finalMembers), projection);
    }
  }

  /**
   * PATCH. Returns the new representation for users; for groups returns undefined (the edge answers 204 and
   * never reads the member list) unless attributes were asked for.
   */
  async patch(
    ctx: RequestContext,
    kind: ResourceKind,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    projection: Projection = {},
    wantBody = kind === 'User',
  ): Promise<Representation | undefined> {
    ctx.guard?.checkAccess(kind, true);
    const operations = parsePatchRequest(body);
    const membersOnly =
      kind === 'Group' &&
      ifMatch === undefined &&
      !wantBody &&
      !ctx.guard &&
      operations.every((op) => typeof op.path === 'string' && /^members(\[|$)/i.test(op.path.trim()));
    if (membersOnly) {
      checkId(id);
      // Entra's member PATCH: no read of the group, no read of its members.
      const result = applyPatch(kind, { schemas: [GROUP_SCHEMA], id, displayName: '-' }, operations);
      checkMemberIds(result.members);
      await this.repo.changeMembers(ctx.scope, id, result.members, this.now());
      return undefined;
    }
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(ctx, kind, id);
      checkIfMatch(current, ifMatch);
      const result = applyPatch(kind, { ...current.data, id }, operations);
      const { data } = splitMembers(result.resource);
      let next = current;
      if (kind === 'Group') {
        // Data and member changes in one commit; a no-op writes nothing (version and lastModified unchanged).
        const written = await this.writeGroup(
          ctx,
          id,
          ifMatch,
          attempt,
          current,
          result.changed ? data : undefined,
          result.members,
        );
        if (!written) continue;
        next = written;
      } else if (result.changed) {
        const written = await this.writeData(ctx, kind, id, ifMatch, attempt, current, data);
        if (!written) continue;
        next = written;
      }
      if (!wantBody) return undefined;
      // The response is built from what was just written: no second read, unless members or groups are wanted.
      const needsRead =
        (kind === 'Group' && wantsAttribute('Group', projection, 'members')) ||
        (kind === 'User' && wantsAttribute('User', projection, 'groups'));
      if (needsRead) return this.get(ctx, kind, id, projection);
      return this.project(kind, this.represent(ctx, next), projection);
    }
  }

  /**
   * Member changes as a domain-limited credential may make them: adding or removing a user its domains hide is
   * 403, and a replace keeps the hidden members (they are not the credential's to remove). Unchanged otherwise.
   */
  private async guardMemberChanges(
    ctx: RequestContext,
    groupId: string,
    members: MemberChanges,
  ): Promise<MemberChanges> {
    if (!ctx.guard?.limitsUsers) return members;
    await this.checkMembersWritable(ctx, [...members.add.map((m) => m.value), ...members.remove]);
    if (!members.replaceAll) return members;
    const existing = await this.repo.listMembers(ctx.scope, groupId, MEMBER_LIST_BOUND);
    if (existing.length > MEMBER_LIST_BOUND) throw tooLargeToReplace(groupId);
    const hidden = new Set(
      (
        await this.hiddenUsers(
          ctx,
          existing.filter((m) => m.type === 'User').map((m) => m.value),
        )
      ).map((u) => u.id),
    );
    const desired = new Set(members.replaceAll.map((m) => m.value));
    const visibleExisting = existing.filter((m) => !hidden.has(m.value));
    const removed = visibleExisting.filter((m) => !desired.has(m.value)).map((m) => m.value);
    const current = new Set(existing.map((m) => m.value));
    const added = members.replaceAll.filter((m) => !current.has(m.value)).map((m) => m.value);
    await this.checkMembersWritable(ctx, [...added, ...removed]);
    const kept = existing.filter((m) => hidden.has(m.value) && !desired.has(m.value));
    return {
      ...members,
      replaceAll: [...members.replaceAll, ...kept.map((m) => ({ value: m.value, type: m.type }))],
    };
  }

  /**
   * Writes a group's new data (if any) and member changes in one all-or-nothing commit, versioned on `current`;
   * undefined means: re-read and retry. Returns the group as written (unchanged for a no-op).
   */
  private async writeGroup(
    ctx: RequestContext,
    id: string,
    ifMatch: string | undefined,
    attempt: number,
    current: StoredResource,
    data: ScimResource | undefined,
    requested: MemberChanges,
  ): Promise<StoredResource | undefined> {
    if (data) ctx.guard?.checkWrite('Group', data);
    checkMemberIds(requested);
    const members = await this.guardMemberChanges(ctx, id, requested);
    const hasMemberChanges =
      members.add.length > 0 || members.remove.length > 0 || members.replaceAll !== undefined;
    if (!data && !hasMemberChanges) return current;
    const now = this.now();
    const next: StoredResource = data
      ? { ...current, data, version: current.version + 1, lastModified: now }
      : current;
    let result: { changed: boolean; version: number; lastModified: string } | undefined;
    const written = await this.versioned('Group', id, ifMatch, attempt, async () => {
      result = await this.repo.changeMembers(
        ctx.scope,
        id,
        members,
        now,
        data
          ? {
              next,
              index: checkStorable('Group', data),
              previous: indexValues('Group', current.data),
              expectedVersion: current.version,
            }
          : undefined,
      );
    });
    if (!written || !result) return undefined;
    return { ...next, version: result.version, lastModified: result.lastModified };
  }

  async delete(
    ctx: RequestContext,
    kind: ResourceKind,
    id: string,
    ifMatch: string | undefined,
  ): Promise<void> {
    ctx.guard?.checkAccess(kind, true);
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(ctx, kind, id);
      checkIfMatch(current, ifMatch);
      if (kind === 'Group' && ctx.guard?.limitsUsers) {
        // Deleting the group would remove members the credential's domains hide: not its to do. The check reads
        // the member list, so it is bounded like every whole-list read.
        const members = await this.repo.listMembers(ctx.scope, id, MEMBER_LIST_BOUND);
        if (members.length > MEMBER_LIST_BOUND) throw tooLargeToCheck(id);
        await this.checkMembersWritable(
          ctx,
          members.filter((m) => m.type === 'User').map((m) => m.value),
        );
      }
      const deleted = await this.versioned(kind, id, ifMatch, attempt, () =>
        this.repo.delete(ctx.scope, current, indexValues(kind, current.data)),
      );
      if (deleted) return;
    }
  }

  async list(ctx: RequestContext, kind: ResourceKind, query: ListQuery): Promise<ListResult> {
    ctx.guard?.checkAccess(kind, false);
    const resolver = resolverFor(kind);
    let filter: Filter | undefined;
    if (query.filter !== undefined && query.filter.trim() !== '') {
      filter = parseFilter(query.filter);
      validateFilter(filter, resolver);
      checkFilterValues(filter);
    }
    const count = clampCount(query.count);
    const plan = filter ? planIndex(kind, filter) : undefined;
    // Candidates found through a membership are evaluated with that membership (members and groups are not
    // part of the stored data).
    const known: Record<string, unknown> =
      plan?.kind === 'members'
        ? { members: [{ value: plan.value }] }
        : plan?.kind === 'groups'
          ? { groups: [{ value: plan.value }] }
          : {};
    const matches = (r: StoredResource): boolean =>
      (!filter || evaluateFilter(filter, { ...r.data, ...known, id: r.id, meta: metaOf(r) }, resolver)) &&
      (!ctx.guard || ctx.guard.canRead(kind, r.data));

    let selected: StoredResource[];
    let totalResults: number;
    const startIndex = Math.max(1, query.startIndex ?? 1);
    let nextCursor: string | undefined;
    const sortBy = query.sortBy?.trim() ? query.sortBy.trim() : undefined;
    if (sortBy) sortKeyFor(kind, sortBy); // validated before any read: 400 on an empty collection too

    if (plan) {
      const candidates = await this.candidates(ctx.scope, kind, plan);
      const all = candidates.filter(matches).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      totalResults = all.length;
      selected = this.pageInMemory(all, kind, sortBy, query.sortOrder, startIndex, count);
    } else if (!filter && !sortBy && !ctx.guard) {
      if (query.cursor !== undefined) {
        const after = decodeCursor(query.cursor, kind);
        const page =
          count === 0 ? { items: [] } : await this.repo.list(ctx.scope, kind, { after, limit: count });
        selected = page.items;
        if (page.next && selected.length === count) nextCursor = encodeCursor(kind, page.next);
        totalResults = (await this.repo.count(ctx.scope, kind)).total;
      } else {
        // The count first: its deletion count says which bookmarks still mark their positions.
        const { total, deletions } = await this.repo.count(ctx.scope, kind);
        const page = await this.pageByIndex(ctx.scope, kind, startIndex, count, deletions);
        totalResults = Math.max(total, startIndex - 1 + page.length);
        selected = page;
      }
    } else {
      // No index answers this filter: read the collection once (bounded), evaluate in memory.
      const all: StoredResource[] = [];
      let after: string | undefined;
      do {
        const page = await this.repo.list(ctx.scope, kind, { after, limit: 500 });
        for (const r of page.items) if (matches(r)) all.push(r);
        after = page.next;
        if (all.length > MAX_IN_MEMORY_RESULTS) {
          throw ScimError.tooMany(
            `the filter matches more than ${MAX_IN_MEMORY_RESULTS} resources; narrow it (userName, externalId, ` +
              `displayName and emails[type eq "work"].value equality filters are answered from an index)`,
          );
        }
      } while (after);
      totalResults = all.length;
      if (query.cursor !== undefined) {
        const sorted = sortBy ? sortResources(all, kind, sortBy, query.sortOrder ?? 'ascending') : all;
        const afterId = decodeCursor(query.cursor, kind);
        const from =
          afterId === undefined
            ? 0
            : sortBy
              ? sorted.findIndex((r) => r.id === afterId) + 1
              : sorted.filter((r) => r.id <= afterId).length;
        if (afterId !== undefined && sortBy && from === 0) {
          throw new ScimError(400, 'cursor no longer points into this result set', 'expiredCursor');
        }
        selected = sorted.slice(from, from + count);
        const last = selected[selected.length - 1];
        if (last && from + count < sorted.length) nextCursor = encodeCursor(kind, last.id);
      } else {
        selected = this.pageInMemory(all, kind, sortBy, query.sortOrder, startIndex, count);
      }
    }

    const projection: Projection = {
      attributes: query.attributes,
      excludedAttributes: query.excludedAttributes,
    };
    const resources = await Promise.all(
      selected.map(async (r) => {
        const [members, groups] = await Promise.all([
          kind === 'Group' && wantsAttribute('Group', projection, 'members')
            ? this.membersForResponse(ctx, r.id)
            : undefined,
          this.groupsIfWanted(ctx, kind, r.id, projection),
        ]);
        return this.project(kind, this.represent(ctx, r, members, groups), projection).resource;
      }),
    );
    const out: ListResult = {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults,
      itemsPerPage: resources.length,
      Resources: resources,
    };
    if (query.cursor === undefined) out.startIndex = startIndex;
    if (nextCursor) out.nextCursor = nextCursor;
    return out;
  }

  /** What an index (or the membership items) answers for a planned filter term. */
  private async candidates(scope: Scope, kind: ResourceKind, plan: IndexPlan): Promise<StoredResource[]> {
    switch (plan.kind) {
      case 'id':
        return [await this.repo.get(scope, kind, plan.value)].filter(
          (r): r is StoredResource => r !== undefined,
        );
      case 'index':
        return this.repo.findByIndex(scope, kind, plan.index, plan.value);
      case 'members': {
        // Groups with this member: the byMember index.
        const groups = await this.repo.groupsOf(scope, plan.value);
        return this.repo.batchGet(
          scope,
          'Group',
          groups.map((g) => g.value),
        );
      }
      case 'groups': {
        // Users in this group: the group's membership items, bounded like any in-memory result.
        const members = (await this.repo.listMembers(scope, plan.value, MAX_IN_MEMORY_RESULTS)).filter(
          (m) => m.type === 'User',
        );
        if (members.length > MAX_IN_MEMORY_RESULTS) {
          throw ScimError.tooMany(
            `the group has more than ${MAX_IN_MEMORY_RESULTS} user members; page through ` +
              `GET /Groups/${plan.value}?attributes=members instead`,
          );
        }
        return this.repo.batchGet(
          scope,
          'User',
          members.map((m) => m.value),
        );
      }
    }
  }

  private pageInMemory(
    all: StoredResource[],
    kind: ResourceKind,
    sortBy: string | undefined,
    sortOrder: 'ascending' | 'descending' | undefined,
    startIndex: number,
    count: number,
  ): StoredResource[] {
    let sorted = all;
    if (sortBy) {
      if (all.length > MAX_IN_MEMORY_RESULTS)
        throw ScimError.tooMany(`sortBy is limited to ${MAX_IN_MEMORY_RESULTS} results`);
      sorted = sortResources(all, kind, sortBy, sortOrder ?? 'ascending');
    }
    return sorted.slice(startIndex - 1, startIndex - 1 + count);
  }

  /** startIndex paging over the id-ordered collection: skips with keys-only reads, then reads one page. */
  private async pageByIndex(
    scope: Scope,
    kind: ResourceKind,
    startIndex: number,
    count: number,
    deletions: number,
  ): Promise<StoredResource[]> {
    if (count === 0) return [];
    let skip = startIndex - 1;
    let after: string | undefined;
    // A bookmark left by an earlier page (IdPs import with startIndex += count) saves the skip.
    if (skip > 0) {
      const bookmark = await this.repo.findBookmark(scope, kind, skip, deletions);
      if (bookmark) {
        after = bookmark.id;
        skip -= bookmark.position;
      }
    }
    while (skip > 0) {
      const ids = await this.repo.listIds(scope, kind, { after, limit: Math.min(skip, 1000) });
      if (ids.ids.length === 0) return [];
      skip -= ids.ids.length;
      after = ids.ids[ids.ids.length - 1];
      if (!ids.next && skip > 0) return [];
    }
    const page = await this.repo.list(scope, kind, { after, limit: count });
    const last = page.items[page.items.length - 1];
    if (last && page.next)
      await this.repo.putBookmark(scope, kind, startIndex - 1 + page.items.length, last.id, deletions);
    return page.items;
  }
}

function metaOf(r: StoredResource): Record<string, unknown> {
  return {
    resourceType: r.kind,
    created: r.created,
    lastModified: r.lastModified,
    version: etagOf(r.version),
  };
}

function clampCount(count: number | undefined): number {
  if (count === undefined) return DEFAULT_PAGE_SIZE;
  if (count < 0) return 0;
  return Math.min(count, MAX_PAGE_SIZE);
}

type IndexPlan =
  | { kind: 'id'; value: string }
  | { kind: 'index'; index: IndexName; value: string }
  /** Groups: `members.value eq` / `members[value eq]`. */
  | { kind: 'members'; value: string }
  /** Users: `groups.value eq` / `groups[value eq]`. */
  | { kind: 'groups'; value: string };

const CORE_URNS = new Set([USER_SCHEMA.toLowerCase(), GROUP_SCHEMA.toLowerCase()]);

function isCorePath(schema: string | undefined): boolean {
  return schema === undefined || CORE_URNS.has(schema.toLowerCase());
}

/** Finds an equality term an index can answer; the whole filter is still evaluated on the candidates. */
export function planIndex(kind: ResourceKind, filter: Filter): IndexPlan | undefined {
  if (filter.kind === 'and') return planIndex(kind, filter.left) ?? planIndex(kind, filter.right);
  if (filter.kind === 'valuePath') {
    const membership = membershipAttr(kind, filter.path.attr);
    if (isCorePath(filter.path.schema) && membership && !filter.path.sub) {
      const value = equalityTerms(filter.filter).get('value');
      if (typeof value === 'string') return { kind: membership, value };
    }
    if (kind === 'User' && isCorePath(filter.path.schema) && filter.path.attr.toLowerCase() === 'emails') {
      const terms = equalityTerms(filter.filter);
      const type = terms.get('type');
      const value = terms.get('value');
      if (typeof type === 'string' && type.toLowerCase() === 'work' && typeof value === 'string') {
        return { kind: 'index', index: 'workEmail', value };
      }
    }
    return undefined;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  const { path, value } = filter;
  if (!isCorePath(path.schema)) return undefined;
  const attr = path.attr.toLowerCase();
  if (!path.sub && !path.valueFilter) {
    if (attr === 'id') return { kind: 'id', value };
    if (attr === 'externalid') return { kind: 'index', index: 'externalId', value };
    if (kind === 'User' && attr === 'username') return { kind: 'index', index: 'name', value };
    if (kind === 'Group' && attr === 'displayname') return { kind: 'index', index: 'name', value };
  }
  const membership = membershipAttr(kind, attr);
  if (membership && path.sub?.toLowerCase() === 'value' && !path.valueFilter)
    return { kind: membership, value };
  if (kind === 'User' && attr === 'emails' && path.sub?.toLowerCase() === 'value' && path.valueFilter) {
    const type = equalityTerms(path.valueFilter).get('type');
    if (typeof type === 'string' && type.toLowerCase() === 'work')
      return { kind: 'index', index: 'workEmail', value };
  }
  return undefined;
}

function membershipAttr(kind: ResourceKind, attr: string): 'members' | 'groups' | undefined {
  if (kind === 'Group' && attr.toLowerCase() === 'members') return 'members';
  if (kind === 'User' && attr.toLowerCase() === 'groups') return 'groups';
  return undefined;
}

function equalityTerms(filter: Filter): Map<string, unknown> {
  const terms = new Map<string, unknown>();
  const walk = (f: Filter): void => {
    if (f.kind === 'and') {
      walk(f.left);
      walk(f.right);
    } else if (f.kind === 'compare' && f.op === 'eq' && !f.path.sub) {
      terms.set(f.path.attr.toLowerCase(), f.value);
    }
  };
  walk(filter);
  return terms;
}

type SortKey = (r: StoredResource) => unknown;

/**
 * Resolves `sortBy` once, before anything is read, so an unknown name is 400 on an empty collection too. Names may
 * be fully qualified (`urn:ietf:params:scim:schemas:core:2.0:User:name.familyName`): the URN is split off first.
 */
function sortKeyFor(kind: ResourceKind, sortBy: string): SortKey {
  const split = splitAttributePath(sortBy);
  const unknown = () => ScimError.invalidValue(`sortBy: unknown attribute '${sortBy.slice(0, 200)}'`);
  if (split.schema !== undefined && !schemaUrnRole(kind, split.schema)) throw unknown();
  const attr = split.attr.toLowerCase();
  if (attr === 'meta') {
    const sub = ['created', 'lastModified', 'resourceType', 'version'].find(
      (n) => n.toLowerCase() === split.sub?.toLowerCase(),
    );
    if (!sub) throw unknown();
    return (r) => metaOf(r)[sub];
  }
  const resolved = resolvePath(kind, sortBy);
  if (!resolved) throw unknown();
  const { attribute, sub } = resolved;
  if (!attribute.extension && attribute.definition.name === 'id') return (r) => r.id;
  const caseExact = (sub ?? attribute.definition).caseExact;
  return (r) => {
    const container = attribute.extension
      ? (r.data[attribute.schema] as Record<string, unknown> | undefined)
      : r.data;
    let v = container?.[attribute.definition.name];
    if (Array.isArray(v)) {
      const primary = (v as Record<string, unknown>[]).find((e) => e?.primary === true) ?? v[0];
      v = (primary as Record<string, unknown> | undefined)?.[sub?.name ?? 'value'];
    } else if (sub && v && typeof v === 'object') {
      v = (v as Record<string, unknown>)[sub.name];
    }
    return typeof v === 'string' && !caseExact ? v.toLowerCase() : v;
  };
}

function sortResources(
  all: StoredResource[],
  kind: ResourceKind,
  sortBy: string,
  order: 'ascending' | 'descending',
): StoredResource[] {
  const key = sortKeyFor(kind, sortBy);
  const keyed = all.map((r) => ({ r, k: key(r) }));
  const dir = order === 'descending' ? -1 : 1;
  keyed.sort((a, b) => {
    // RFC 7644 §3.4.2.3: resources without a value sort last in ascending order.
    if (a.k === undefined || a.k === null) return b.k === undefined || b.k === null ? cmp(a.r.id, b.r.id) : 1;
    if (b.k === undefined || b.k === null) return -1;
    const c = cmp(a.k as string | number | boolean, b.k as string | number | boolean);
    return c !== 0 ? c * dir : cmp(a.r.id, b.r.id);
  });
  return keyed.map((x) => x.r);
}

function cmp(a: string | number | boolean, b: string | number | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeCursor(kind: ResourceKind, afterId: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: afterId })).toString('base64url');
}

function decodeCursor(cursor: string, kind: ResourceKind): string | undefined {
  if (cursor === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      k?: unknown;
      a?: unknown;
    };
    if (parsed.k === kind && typeof parsed.a === 'string' && parsed.a.length <= 64) return parsed.a;
  } catch {
    // fall through
  }
  throw new ScimError(
    400,
    `cursor '${cursor.slice(0, 40)}' is not valid for ${endpointOf(kind)}`,
    'invalidCursor',
  );
}
