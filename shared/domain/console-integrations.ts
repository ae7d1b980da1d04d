/**
 * Console use cases built on the credential service: the integration token of one SCIM endpoint (generate /
 * regenerate), and "Test connection", which makes the request Microsoft Entra ID makes when an admin tests a
 * provisioning connection and says what the answer means. docs/console.md.
 */
import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../http/types';
import { ScimError } from '../scim/errors';
import type { IssuedCredential } from './credential-model';
import type { ActorContext } from './credential-lifecycle';
import type { CredentialService } from './credential-service';

/** Generates the endpoint's integration token, or regenerates it (the old one stops at once). */
export async function integrationToken(
  svc: CredentialService,
  tenantId: string,
  endpointId: string,
  ctx: ActorContext & { boundAdminId?: string },
): Promise<IssuedCredential & { regenerated: boolean }> {
  const endpoints = await svc.listEndpoints(tenantId);
  if (!endpoints.some((e) => e.id === endpointId))
    throw ScimError.notFound(`endpoint '${endpointId.slice(0, 64)}' not found`);
  // A tenant's credentials are the handful its admins issued; the listing is bounded by them.
  const live = (await svc.list(tenantId)).find(
    (c) => c.kind === 'gateway' && c.endpoints[0] === endpointId && c.status !== 'revoked',
  );
  if (live) return { ...(await svc.rotate(tenantId, live.id, {}, ctx)), regenerated: true };
  const issued = await svc.issue(
    tenantId,
    {
      kind: 'gateway',
      name: `Integration token (${endpointId})`,
      endpointId,
      ...(ctx.boundAdminId ? { boundAdminId: ctx.boundAdminId } : {}),
    },
    ctx,
  );
  return { ...issued, regenerated: false };
}

/** How the tested IdP authenticates. */
export type TestAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth'; clientId: string; clientSecret: string };

export interface TestStep {
  request: string;
  status: number;
  /** What the answer means, in words. */
  outcome: string;
}

export interface TestResult {
  ok: boolean;
  summary: string;
  steps: TestStep[];
}

/** Dispatches a request to this deployment's own handlers (in-process: no network, no URL with a secret). */
export type Probe = (req: HttpRequest) => Promise<HttpResponse>;

function detailOf(res: HttpResponse): string {
  try {
    const parsed = JSON.parse(res.body ?? '') as { detail?: unknown; error_description?: unknown };
    const text = parsed.detail ?? parsed.error_description;
    return typeof text === 'string' ? text.slice(0, 300) : '';
  } catch {
    return '';
  }
}

function meaning(status: number, detail: string): string {
  if (status === 200) return 'the SCIM endpoint answered with a (empty) list of users: the connection works';
  if (status === 401)
    return `the credentials were refused (${detail || 'not valid'}); check the secret you pasted`;
  if (status === 403) return `the credentials are valid but lack a role (${detail || 'forbidden'})`;
  if (status === 404) return 'the SCIM endpoint does not exist; check the Tenant URL';
  if (status === 429 || status === 503) return 'the service is busy; try again in a minute';
  return `unexpected answer ${status}${detail ? `: ${detail}` : ''}`;
}

/**
 * Entra's "Test Connection": `GET /Users?filter=userName eq "<random GUID>"` with the credentials, expecting 200
 * and an empty list. For an OAuth client it first fetches an access token (client credentials grant).
 */
export async function testConnection(
  probe: Probe,
  target: { origin: string; tenantId: string; endpointId: string; sourceIp: string },
  auth: TestAuth,
): Promise<TestResult> {
  const steps: TestStep[] = [];
  const base = {
    query: {},
    sourceIp: target.sourceIp,
    userAgent: 'scimgate-console-test',
    origin: target.origin,
  };
  let authorization: string;
  if (auth.type === 'oauth') {
    const path = `/oauth/${target.tenantId}/token`;
    const res = await probe({
      ...base,
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
      }).toString(),
    });
    const ok = res.status === 200;
    steps.push({
      request: `POST ${path} (client credentials)`,
      status: res.status,
      outcome: ok
        ? 'an access token was issued'
        : `no access token: ${detailOf(res) || 'the client id or secret was refused'}`,
    });
    if (!ok) return { ok: false, summary: 'The token endpoint refused the client id and secret.', steps };
    const token = (JSON.parse(res.body ?? '{}') as { access_token?: string }).access_token ?? '';
    authorization = `Bearer ${token}`;
  } else if (auth.type === 'basic') {
    authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  } else {
    authorization = `Bearer ${auth.token}`;
  }
  const path = `/scim/v2/${target.tenantId}/${target.endpointId}/Users`;
  const filter = `userName eq "${randomUUID()}"`;
  const res = await probe({
    ...base,
    method: 'GET',
    path,
    query: { filter },
    headers: { authorization, accept: 'application/scim+json' },
    body: undefined,
  });
  steps.push({
    request: `GET ${path}?filter=userName eq "<random GUID>"`,
    status: res.status,
    outcome: meaning(res.status, detailOf(res)),
  });
  const ok = res.status === 200;
  return {
    ok,
    summary: ok
      ? 'Connection works: your identity provider can provision users with these values.'
      : 'Connection failed: ' + meaning(res.status, detailOf(res)) + '.',
    steps,
  };
}
