/**
 * Authentication of SCIM requests (bearer, HTTP Basic, gateway tokens and OAuth access tokens) and of OAuth clients
 * at the token endpoint, with refusals, per-source rate limiting and last-use bookkeeping.
 *
 * Authentication costs one DynamoDB read: the secret item found by tenant + HMAC carries everything the decision
 * needs. OAuth access tokens are verified without a read and then cost one read of their credential, so revocation
 * is immediate. This part imports nothing of the lifecycle or tenant administration: the SCIM and OAuth functions
 * build it alone.
 */
import { ScimError } from '../scim/errors';
import { challengeFor, parseAuthorization, type AuthAttempt } from '../credentials/authorization';
import { accessTokenAudience, accessTokenIssuer } from '../credentials/access-token';
import { candidateHashes, constantTimeEqual, type PepperSource } from '../credentials/pepper';
import { parseSecret } from '../credentials/secret-format';
import { AuditLog } from './audit-log';
import type { AccessTokenVerifier, Credential, Endpoint, Role, SecretRecord } from './credential-model';
import { DAY, HOUR, idleSince, isValidEndpointId, isValidTenantId } from './credential-rules';
import { CredentialStore, type CredentialContext } from './credential-store';
import { guardFor } from './resource-guard';
import type { ResourceGuard } from './scim-resources';

/** lastUsedAt is written at most this often per credential. */
export const LAST_USED_WRITE_INTERVAL_MS = 5 * 60_000;
/** Authentication failures per source and tenant per window before answering 429. */
export const FAILURE_LIMIT = 20;
export const FAILURE_WINDOW_SECONDS = 60;

export interface AuthRequest {
  authorization: string | undefined;
  sourceIp: string;
  userAgent: string;
  /** scheme://host the client called: the issuer of access tokens is derived from it. */
  origin: string;
}

export interface AuthenticatedCredential {
  tenantId: string;
  endpointId: string;
  credentialId: string;
  roles: Role[];
  allowedDomains: string[];
  guard?: ResourceGuard;
}

type Source = Pick<AuthRequest, 'sourceIp' | 'userAgent'>;

export class Authenticator {
  /** Sampling of refused authentications in the audit log: first per (tenant, source, reason) per minute. */
  private readonly refusalSamples = new Map<string, number>();
  private readonly audit: AuditLog;
  private readonly store: CredentialStore;

  constructor(
    private readonly ctx: CredentialContext,
    private readonly pepper: PepperSource,
    private readonly accessTokens?: AccessTokenVerifier,
  ) {
    this.audit = new AuditLog(ctx.repo, ctx.clock);
    this.store = new CredentialStore(ctx, this.audit);
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  async authenticate(
    req: AuthRequest,
    tenantId: string,
    endpointId: string,
  ): Promise<AuthenticatedCredential> {
    const attempt = parseAuthorization(req.authorization);
    if (attempt.kind === 'none') return this.refuse(tenantId, req, attempt, 'no credentials');
    if (attempt.kind === 'malformed') return this.refuse(tenantId, req, attempt, 'malformed credentials');
    if (!isValidTenantId(tenantId) || !isValidEndpointId(endpointId))
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    // A deleted or never-created endpoint is gone for everyone; it is read with the secret (one BatchGetItem), or
    // alongside an access token's checks, and looked at only once the credential passed (unauthenticated callers
    // learn nothing).
    const { authenticated, endpoint } = await this.authenticateCredential(req, attempt, tenantId, endpointId);
    if (!endpoint || endpoint.deletedAt !== undefined)
      throw ScimError.notFound(`endpoint '${endpointId}' not found`);
    return authenticated;
  }

  private async authenticateCredential(
    req: AuthRequest,
    attempt: AuthAttempt & { kind: 'token' | 'basic' },
    tenantId: string,
    endpointId: string,
  ): Promise<{ authenticated: AuthenticatedCredential; endpoint: Endpoint | undefined }> {
    if (attempt.kind === 'token' && this.accessTokens && /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(attempt.token)) {
      const endpoint = this.ctx.repo.getEndpoint(tenantId, endpointId).then(
        (e) => ({ e }),
        (error: unknown) => ({ error }),
      );
      const authenticated = await this.authenticateAccessToken(req, attempt, tenantId, endpointId);
      const read = await endpoint;
      if ('error' in read) throw read.error;
      return { authenticated, endpoint: read.e };
    }
    const secret = attempt.kind === 'basic' ? attempt.password : attempt.token;
    const parsed = parseSecret(secret);
    const expected = attempt.kind === 'basic' ? ['basic-password'] : ['bearer', 'gateway'];
    if (!parsed || !expected.includes(parsed.kind))
      return this.refuse(tenantId, req, attempt, 'malformed token');

    const found = await this.findSecret(tenantId, secret, endpointId);
    if (!found || found.record.tenantId !== tenantId)
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    const { record, hash } = found;
    if (attempt.kind === 'basic' && !constantTimeEqual(record.username ?? '', attempt.username)) {
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    }
    const reason = this.check(record, endpointId);
    if (reason)
      return this.refuse(
        tenantId,
        req,
        attempt,
        reason,
        reason === 'unknown credentials' ? undefined : record.credentialId,
      );

    await this.afterUse(record, hash, req);
    return {
      authenticated: this.authenticated(tenantId, endpointId, record.credentialId, record, req),
      endpoint: found.endpoint,
    };
  }

  /** OAuth token endpoint: client id + secret of an oauth-client credential (one read). */
  async authenticateClient(
    tenantId: string,
    clientId: string,
    clientSecret: string,
    source: Source,
  ): Promise<Credential> {
    const attempt: AuthAttempt = { kind: 'basic', username: clientId, password: clientSecret } as AuthAttempt;
    const parsed = parseSecret(clientSecret);
    if (!isValidTenantId(tenantId) || !parsed || parsed.kind !== 'client-secret') {
      return this.refuse(tenantId, source, attempt, 'invalid client');
    }
    const found = await this.findSecret(tenantId, clientSecret);
    if (
      !found ||
      found.record.kind !== 'oauth-client' ||
      !constantTimeEqual(found.record.clientId ?? '', clientId)
    )
      return this.refuse(tenantId, source, attempt, 'invalid client');
    const { record, hash } = found;
    const reason = this.check({ ...record, endpoints: ['*'] }, 'default');
    if (reason) return this.refuse(tenantId, source, attempt, reason, record.credentialId);
    await this.afterUse(record, hash, source);
    return this.store.load(tenantId, record.credentialId);
  }

  /** RFC 7009 (the OAuth function): access tokens of this client issued before `before` stop working. */
  async revokeAccessTokens(tenantId: string, credentialId: string, before: Date): Promise<void> {
    await this.store.mutate(tenantId, credentialId, 'idp', 'credential.updated', (next) => {
      const current = next.tokensValidAfter ? Date.parse(next.tokensValidAfter) : 0;
      next.tokensValidAfter = new Date(Math.max(current, before.getTime())).toISOString();
    });
  }

  /**
   * The secret item of `secret`, trying the current pepper and then the previous ones (one read per version), with
   * the endpoint when one is named (read in the same call).
   */
  private async findSecret(
    tenantId: string,
    secret: string,
    endpointId?: string,
  ): Promise<{ record: SecretRecord; hash: string; endpoint: Endpoint | undefined } | undefined> {
    for (const candidate of candidateHashes(await this.pepper.load(), secret)) {
      const read = await this.ctx.repo.findSecret(tenantId, candidate.hash, endpointId);
      if (read.secret) return { record: read.secret, hash: candidate.hash, endpoint: read.endpoint };
    }
    return undefined;
  }

  private async authenticateAccessToken(
    req: AuthRequest,
    attempt: AuthAttempt & { kind: 'token' },
    tenantId: string,
    endpointId: string,
  ): Promise<AuthenticatedCredential> {
    const claims = await this.accessTokens!.verify(attempt.token, {
      issuer: accessTokenIssuer(req.origin, tenantId),
      audience: accessTokenAudience(tenantId),
    });
    if (!claims || claims.tenantId !== tenantId)
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    const c = await this.ctx.repo.getCredential(tenantId, claims.credentialId);
    if (!c || c.kind !== 'oauth-client' || c.clientId !== claims.clientId)
      return this.refuse(tenantId, req, attempt, 'unknown credentials');
    // iat has whole seconds: a token from the same second as the cut-off is refused too.
    if (c.tokensValidAfter && claims.issuedAt.getTime() <= Date.parse(c.tokensValidAfter)) {
      return this.refuse(tenantId, req, attempt, 'token revoked', c.id);
    }
    const reason = this.check({ ...c, credentialId: c.id }, endpointId);
    if (reason) return this.refuse(tenantId, req, attempt, reason, c.id);
    await this.maybeTouch(
      c.tenantId,
      c.id,
      c.lastUsedAt,
      c.secrets.map((s) => s.hash),
      req,
    );
    return this.authenticated(tenantId, endpointId, c.id, c, req);
  }

  /** Checks every rule on a secret record (or an access token's credential) at `now`; returns a refusal reason. */
  private check(r: Omit<SecretRecord, 'slotId'>, endpointId: string): string | undefined {
    const now = this.now().getTime();
    if (r.status === 'revoked') return 'credential revoked';
    if (r.status === 'deactivated') return 'credential deactivated';
    if (Date.parse(r.expiresAt) <= now) return 'credential expired';
    if (idleSince(r) + r.idleDays * DAY <= now) return 'credential inactive (idle)';
    if (r.retiresAt && Date.parse(r.retiresAt) <= now) return 'secret rotated out';
    if (!r.adminActive) return 'credential owner deactivated';
    const endpointOk =
      r.kind === 'gateway'
        ? r.endpoints[0] === endpointId
        : r.endpoints.includes('*') || r.endpoints.includes(endpointId);
    if (!endpointOk) return 'unknown credentials';
    return undefined;
  }

  /** The authenticated credential with its guard; denials go to the audit log (not awaited: guards are sync). */
  private authenticated(
    tenantId: string,
    endpointId: string,
    credentialId: string,
    grants: { roles: Role[]; allowedDomains: string[] },
    req: Source,
  ): AuthenticatedCredential {
    const guard = guardFor(grants.roles, grants.allowedDomains, (reason) => {
      void this.audit
        .record(tenantId, 'auth.domain-denied', 'idp', {
          credentialId,
          sourceIp: req.sourceIp,
          userAgent: req.userAgent.slice(0, 200),
          detail: { reason },
        })
        .catch(() => undefined);
    });
    return {
      tenantId,
      endpointId,
      credentialId,
      roles: grants.roles,
      allowedDomains: grants.allowedDomains,
      ...(guard ? { guard } : {}),
    };
  }

  private async refuse(
    tenantId: string,
    req: Source,
    attempt: AuthAttempt,
    reason: string,
    credentialId?: string,
  ): Promise<never> {
    const now = this.now();
    const windowStart = Math.floor(now.getTime() / 1000 / FAILURE_WINDOW_SECONDS) * FAILURE_WINDOW_SECONDS;
    if (isValidTenantId(tenantId)) {
      const count = await this.ctx.repo.countFailure(
        tenantId,
        req.sourceIp,
        windowStart,
        FAILURE_WINDOW_SECONDS * 2,
      );
      const sampleKey = `${tenantId}|${req.sourceIp}|${reason}`;
      const minute = Math.floor(now.getTime() / 60_000);
      if (this.refusalSamples.get(sampleKey) !== minute) {
        if (this.refusalSamples.size > 10_000) this.refusalSamples.clear();
        this.refusalSamples.set(sampleKey, minute);
        await this.audit.record(tenantId, 'auth.refused', 'idp', {
          sourceIp: req.sourceIp,
          userAgent: req.userAgent.slice(0, 200),
          detail: { reason },
          ...(credentialId ? { credentialId } : {}),
        });
      }
      if (count > FAILURE_LIMIT) {
        const retry = Math.max(1, windowStart + FAILURE_WINDOW_SECONDS - Math.floor(now.getTime() / 1000));
        throw new ScimError(
          429,
          `too many failed authentications from this source; retry in ${retry} s`,
          undefined,
          { 'retry-after': String(retry) },
        );
      }
    }
    throw new ScimError(
      401,
      attempt.kind === 'none' ? 'authentication required' : `invalid credentials: ${reason}`,
      undefined,
      { 'www-authenticate': challengeFor(attempt, attempt.kind === 'none' ? undefined : reason) },
    );
  }

  /** First use of a new secret starts the old one's grace period; last use is written at most every 5 minutes. */
  private async afterUse(record: SecretRecord, hash: string, req: Source): Promise<void> {
    if (!record.firstUsedAt) {
      const grace = (await this.store.policyOf(record.tenantId)).rotationGraceHours * HOUR;
      const now = this.now();
      await this.store
        .mutate(
          record.tenantId,
          record.credentialId,
          'idp',
          'credential.first-used',
          (next) => {
            for (const s of next.secrets) {
              if (s.id === record.slotId) s.firstUsedAt ??= now.toISOString();
              else {
                const end = now.getTime() + grace;
                s.retiresAt = new Date(
                  s.retiresAt ? Math.min(Date.parse(s.retiresAt), end) : end,
                ).toISOString();
              }
            }
            next.lastUsedAt = now.toISOString();
            next.lastUsedIp = req.sourceIp;
            next.lastUsedUserAgent = req.userAgent.slice(0, 200);
          },
          (changed) => ({ rotated: changed.secrets.length > 1 }),
        )
        .catch(() => undefined);
      return;
    }
    await this.maybeTouch(record.tenantId, record.credentialId, record.lastUsedAt, [hash], req);
  }

  private async maybeTouch(
    tenantId: string,
    credentialId: string,
    lastUsedAt: string | undefined,
    hashes: string[],
    req: Source,
  ): Promise<void> {
    const now = this.now();
    if (lastUsedAt && now.getTime() - Date.parse(lastUsedAt) < LAST_USED_WRITE_INTERVAL_MS) return;
    await this.ctx.repo
      .touch(tenantId, credentialId, hashes, now.toISOString(), req.sourceIp, req.userAgent.slice(0, 200))
      .catch(() => undefined);
  }
}
