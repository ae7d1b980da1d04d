/**
 * The admin console's door: setup links, sessions, CSRF tokens and roles (docs/console.md).
 *
 * - A setup link is created by the operator (management API, CLI) or by a tenant owner for one admin membership of
 *   one tenant. Its token is `<tenant>.<scgl_ secret>` (256 random bits, see secret-format.ts), shown once and
 *   stored only as HMAC-SHA256 with the pepper, like every other secret. It is valid for minutes and used once: the
 *   exchange marks it used with one conditional write, so two parallel exchanges cannot both win.
 * - Opening the link starts a session: the cookie value is `<tenant>.<scgs_ secret>`, stored hashed, with an idle
 *   and an absolute expiry. Every request reads the session and the admin membership (two reads), so deactivating
 *   or removing the admin, or changing their role, takes effect on their next request.
 * - The CSRF token is HMAC(pepper, "csrf:" + session hash): bound to the session, never stored, sent by the SPA in
 *   `x-csrf-token` on every write.
 * - The tenant is the one the session was stored under: the cookie names it, and the hash lookup under that
 *   tenant's keys is what proves it.
 */
import { AuditLog } from './audit-log';
import { createHmac, randomUUID } from 'node:crypto';
import { ScimError } from '../scim/errors';
import { candidateHashes, constantTimeEqual, hashSecret, type PepperSource } from '../credentials/pepper';
import { generateSecret, parseSecret } from '../credentials/secret-format';
import {
  ADMIN_ROLES,
  DEFAULT_ADMIN_ROLE,
  type AdminMember,
  type AdminRole,
  type CredentialRepository,
} from './credential-model';
import { isValidTenantId } from './credential-rules';
import type { Clock } from './ports';

const MINUTE = 60_000;
/** lastSeenAt is written at most this often per session. */
export const SESSION_TOUCH_INTERVAL_MS = MINUTE;

export interface SetupLinkRecord {
  tenantId: string;
  hash: string;
  adminId: string;
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  usedAt?: string;
}

export interface SessionRecord {
  tenantId: string;
  hash: string;
  adminId: string;
  /** The membership the session belongs to: a removed and re-added admin of the same id does not inherit it. */
  adminCreatedAt: string;
  createdAt: string;
  lastSeenAt: string;
  /** Absolute expiry. */
  expiresAt: string;
}

/** The port: where links and sessions live (DynamoDB adapter: console-session-repository.ts). */
export interface ConsoleSessionRepository {
  putSetupLink(link: SetupLinkRecord): Promise<void>;
  /**
   * Marks the link used at `now` if it exists, is unused and has not expired: one conditional write. Returns the
   * link, or undefined when any condition failed.
   */
  consumeSetupLink(tenantId: string, hash: string, now: string): Promise<SetupLinkRecord | undefined>;
  putSession(session: SessionRecord): Promise<void>;
  getSession(tenantId: string, hash: string): Promise<SessionRecord | undefined>;
  touchSession(tenantId: string, hash: string, at: string): Promise<void>;
  deleteSession(tenantId: string, hash: string): Promise<void>;
}

export interface ConsoleSettings {
  /** Default validity of a setup link. */
  setupLinkMinutes: number;
  /** Longest validity a caller may ask for. */
  setupLinkMaxMinutes: number;
  /** A session ends after this long without a request… */
  sessionIdleMinutes: number;
  /** …and this long after it started, whatever happens. */
  sessionMaxHours: number;
}

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = {
  setupLinkMinutes: 30,
  setupLinkMaxMinutes: 24 * 60,
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
};

/** What each console action needs (owner ⊃ admin ⊃ viewer). Enforced by the console edge on every route. */
export type ConsoleAction =
  | 'read'
  | 'credentials.write'
  | 'endpoints.write'
  | 'tenant.write'
  | 'policy.write'
  | 'admins.read'
  | 'admins.write';

export const MIN_ROLE: Record<ConsoleAction, AdminRole> = {
  read: 'viewer',
  'credentials.write': 'admin',
  'endpoints.write': 'admin',
  /** The tenant's own settings: its application (bookmark) URL. */
  'tenant.write': 'owner',
  'policy.write': 'owner',
  'admins.read': 'owner',
  'admins.write': 'owner',
};

const RANK: Record<AdminRole, number> = { viewer: 0, admin: 1, owner: 2 };

export function roleAllows(role: AdminRole, action: ConsoleAction): boolean {
  return RANK[role] >= RANK[MIN_ROLE[action]];
}

export const roleOf = (admin: Pick<AdminMember, 'role'>): AdminRole => admin.role ?? DEFAULT_ADMIN_ROLE;

/** A credential's page in the console: the SPA's route in the fragment of the console URL. */
export function consoleCredentialUrl(consoleUrl: string, credentialId: string): string {
  return `${consoleUrl.replace(/#.*$/, '')}#/credentials/${encodeURIComponent(credentialId)}`;
}

/** The audit actor of a console admin. */
export const consoleActor = (adminId: string) => `admin:${adminId}`;

export interface SetupLinkInput {
  /** An existing admin membership… */
  adminId?: string;
  /** …or an e-mail address: the membership with that address, created when there is none. */
  email?: string;
  /** Sets the membership's role (default: the existing role, or `admin` for a new membership). */
  role?: AdminRole;
  validMinutes?: number;
}

export interface IssuedSetupLink {
  /** `<tenant>.<secret>`: shown once. */
  token: string;
  /** The console URL with the token in its fragment (never sent to a server by a browser). */
  url: string;
  expiresAt: string;
  admin: AdminMember & { role: AdminRole };
}

export interface ConsoleSession {
  tenantId: string;
  adminId: string;
  email: string;
  role: AdminRole;
  expiresAt: string;
  /** When the session ends if unused. */
  idleExpiresAt: string;
  csrfToken: string;
  hash: string;
}

export interface StartedSession {
  /** The cookie value `<tenant>.<secret>`. */
  cookieValue: string;
  session: ConsoleSession;
}

export interface RequestSource {
  sourceIp: string;
  userAgent: string;
}

const bad = (detail: string) => ScimError.invalidValue(detail);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const LINK_REFUSED =
  'this setup link is not valid: it has expired, was already used, or was never issued; ask for a new one';
const SESSION_REQUIRED = 'sign in to the console through a setup link';

function splitToken(value: string | undefined, kind: 'setup-link' | 'session') {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  const dot = value.indexOf('.');
  if (dot < 1) return undefined;
  const tenantId = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (!isValidTenantId(tenantId) || parseSecret(secret)?.kind !== kind) return undefined;
  return { tenantId, secret };
}

export class ConsoleSessions {
  /** Every console action, with the admin as the actor (the tenant's one audit log). */
  private readonly auditLog: AuditLog;

  constructor(
    private readonly repo: ConsoleSessionRepository,
    private readonly members: CredentialRepository,
    private readonly pepper: PepperSource,
    private readonly clock: Clock,
    readonly settings: ConsoleSettings = DEFAULT_CONSOLE_SETTINGS,
  ) {
    this.auditLog = new AuditLog(members, clock);
    const { setupLinkMinutes, setupLinkMaxMinutes, sessionIdleMinutes, sessionMaxHours } = settings;
    const ok = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
    if (
      !ok(setupLinkMaxMinutes, 1, 7 * 24 * 60) ||
      !ok(setupLinkMinutes, 1, setupLinkMaxMinutes) ||
      !ok(sessionIdleMinutes, 1, 24 * 60) ||
      !ok(sessionMaxHours, 1, 7 * 24)
    ) {
      throw new Error(
        'console settings: setup links 1 minute to 7 days (default ≤ maximum), idle 1 minute to 24 hours, ' +
          'sessions 1 hour to 7 days',
      );
    }
  }

  /** The membership a link is for: found by id or e-mail, created for a new e-mail; its role set when given. */
  private async membershipFor(tenantId: string, input: SetupLinkInput, actor: string): Promise<AdminMember> {
    if (input.role !== undefined && !ADMIN_ROLES.includes(input.role))
      throw bad(`role must be one of ${ADMIN_ROLES.join(', ')}`);
    if ((input.adminId === undefined) === (input.email === undefined))
      throw bad("name the admin: give exactly one of 'adminId' and 'email'");
    let admin: AdminMember | undefined;
    if (input.adminId !== undefined) {
      admin = await this.members.getAdmin(tenantId, input.adminId);
      if (!admin) throw ScimError.notFound(`admin '${input.adminId.slice(0, 64)}' not found`);
    } else {
      const email = (input.email ?? '').trim();
      if (!EMAIL.test(email)) throw bad(`'${email.slice(0, 80)}' is not an e-mail address`);
      // Memberships of a tenant are a handful of people; this list is bounded by them, not by any data set.
      admin = (await this.members.listAdmins(tenantId)).find(
        (a) => a.email.toLowerCase() === email.toLowerCase(),
      );
      if (!admin) {
        const created: AdminMember = {
          tenantId,
          id: randomUUID(),
          email,
          status: 'active',
          createdAt: this.clock.now().toISOString(),
          role: input.role ?? DEFAULT_ADMIN_ROLE,
        };
        if (!(await this.members.putAdmin(created)))
          throw new ScimError(409, 'the admin was just added; retry');
        await this.auditLog.record(tenantId, 'admin.added', actor, {
          detail: { adminId: created.id, role: roleOf(created) },
        });
        return created;
      }
    }
    if (admin.status !== 'active') throw bad(`admin '${admin.id}' is deactivated`);
    if (input.role !== undefined && input.role !== roleOf(admin)) {
      admin = { ...admin, role: input.role };
      await this.members.updateAdmin(admin);
      await this.auditLog.record(tenantId, 'admin.role-changed', actor, {
        detail: { adminId: admin.id, role: input.role },
      });
    }
    return admin;
  }

  /** Creates a single-use setup link for one admin of `tenantId`. `consoleUrl` is where the SPA is served. */
  async createSetupLink(
    tenantId: string,
    input: SetupLinkInput,
    actor: string,
    consoleUrl: string,
  ): Promise<IssuedSetupLink> {
    if (!isValidTenantId(tenantId) || !(await this.members.getTenant(tenantId)))
      throw ScimError.notFound(`tenant '${tenantId.slice(0, 64)}' not found`);
    const minutes = input.validMinutes ?? this.settings.setupLinkMinutes;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > this.settings.setupLinkMaxMinutes)
      throw bad(`validMinutes must be an integer from 1 to ${this.settings.setupLinkMaxMinutes}`);
    const admin = await this.membershipFor(tenantId, input, actor);
    const now = this.clock.now();
    const secret = generateSecret('setup-link');
    const expiresAt = new Date(now.getTime() + minutes * MINUTE).toISOString();
    await this.repo.putSetupLink({
      tenantId,
      hash: hashSecret(await this.pepper.load(), secret).hash,
      adminId: admin.id,
      createdAt: now.toISOString(),
      expiresAt,
      createdBy: actor,
    });
    await this.auditLog.record(tenantId, 'console.setup-link-created', actor, {
      detail: { adminId: admin.id, role: roleOf(admin), expiresAt },
    });
    const token = `${tenantId}.${secret}`;
    const base = consoleUrl.replace(/#.*$/, '');
    return { token, url: `${base}#link=${token}`, expiresAt, admin: { ...admin, role: roleOf(admin) } };
  }

  /** Exchanges a setup link for a session (the link is spent whatever happens next). */
  async exchange(linkToken: string, source: RequestSource): Promise<StartedSession> {
    const parts = splitToken(linkToken, 'setup-link');
    if (!parts) throw new ScimError(401, LINK_REFUSED);
    const now = this.clock.now();
    const pepper = await this.pepper.load();
    let link: SetupLinkRecord | undefined;
    for (const candidate of candidateHashes(pepper, parts.secret)) {
      link = await this.repo.consumeSetupLink(parts.tenantId, candidate.hash, now.toISOString());
      if (link) break;
    }
    if (!link) throw new ScimError(401, LINK_REFUSED);
    const admin = await this.members.getAdmin(link.tenantId, link.adminId);
    if (!admin || admin.status !== 'active') throw new ScimError(401, LINK_REFUSED);
    const secret = generateSecret('session');
    const hash = hashSecret(pepper, secret).hash;
    const record: SessionRecord = {
      tenantId: link.tenantId,
      hash,
      adminId: admin.id,
      adminCreatedAt: admin.createdAt,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.settings.sessionMaxHours * 60 * MINUTE).toISOString(),
    };
    await this.repo.putSession(record);
    await this.auditLog.record(link.tenantId, 'console.session-started', consoleActor(admin.id), {
      sourceIp: source.sourceIp,
      userAgent: source.userAgent.slice(0, 200),
      detail: { role: roleOf(admin) },
    });
    return { cookieValue: `${link.tenantId}.${secret}`, session: await this.describe(record, admin) };
  }

  private async describe(s: SessionRecord, admin: AdminMember): Promise<ConsoleSession> {
    const pepper = await this.pepper.load();
    const idle = Math.min(
      Date.parse(s.lastSeenAt) + this.settings.sessionIdleMinutes * MINUTE,
      Date.parse(s.expiresAt),
    );
    return {
      tenantId: s.tenantId,
      adminId: admin.id,
      email: admin.email,
      role: roleOf(admin),
      expiresAt: s.expiresAt,
      idleExpiresAt: new Date(idle).toISOString(),
      csrfToken: createHmac('sha256', pepper.current.key).update(`csrf:${s.hash}`).digest('base64url'),
      hash: s.hash,
    };
  }

  /** The session a cookie names, or 401. Refreshes the idle window (at most once a minute). */
  async authenticate(cookieValue: string | undefined): Promise<ConsoleSession> {
    const parts = splitToken(cookieValue, 'session');
    if (!parts) throw new ScimError(401, SESSION_REQUIRED);
    const now = this.clock.now();
    let session: SessionRecord | undefined;
    for (const candidate of candidateHashes(await this.pepper.load(), parts.secret)) {
      session = await this.repo.getSession(parts.tenantId, candidate.hash);
      if (session) break;
    }
    const idleEnd = session ? Date.parse(session.lastSeenAt) + this.settings.sessionIdleMinutes * MINUTE : 0;
    if (!session || Date.parse(session.expiresAt) <= now.getTime() || idleEnd <= now.getTime()) {
      throw new ScimError(401, `your console session has ended; ${SESSION_REQUIRED}`);
    }
    const admin = await this.members.getAdmin(session.tenantId, session.adminId);
    if (!admin || admin.status !== 'active' || admin.createdAt !== session.adminCreatedAt) {
      throw new ScimError(401, `your admin membership is no longer active; ${SESSION_REQUIRED}`);
    }
    if (now.getTime() - Date.parse(session.lastSeenAt) >= SESSION_TOUCH_INTERVAL_MS) {
      session = { ...session, lastSeenAt: now.toISOString() };
      await this.repo.touchSession(session.tenantId, session.hash, session.lastSeenAt);
    }
    return this.describe(session, admin);
  }

  /** 403 unless `presented` is this session's CSRF token. */
  checkCsrf(session: ConsoleSession, presented: string | undefined): void {
    if (!presented || !constantTimeEqual(presented, session.csrfToken)) {
      throw new ScimError(403, 'missing or wrong CSRF token (x-csrf-token); reload the console');
    }
  }

  /** 403 unless the session's role allows `action`. */
  authorize(session: ConsoleSession, action: ConsoleAction): void {
    if (!roleAllows(session.role, action)) {
      throw new ScimError(
        403,
        `your role (${session.role}) does not allow this; it needs ${MIN_ROLE[action]} or above`,
      );
    }
  }

  /** Signs out: the session is deleted. */
  async end(session: ConsoleSession, source: RequestSource): Promise<void> {
    await this.repo.deleteSession(session.tenantId, session.hash);
    await this.auditLog.record(session.tenantId, 'console.session-ended', consoleActor(session.adminId), {
      sourceIp: source.sourceIp,
      userAgent: source.userAgent.slice(0, 200),
    });
  }
}
