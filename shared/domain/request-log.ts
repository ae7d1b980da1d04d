/**
 * The recent SCIM requests of each credential (the console's Activity view, issue 11): one small item per
 * authenticated request, written after it is answered, kept REQUEST_LOG_DAYS (DynamoDB TTL), read newest first by
 * one query of that credential's partition. Nothing secret: the path without its query string, the method, the
 * status, the source address and the User-Agent.
 */
import type { CredentialRepository, ScimRequestRecord } from './credential-model';
import { ScimError } from '../scim/errors';
import { isValidTenantId, tenantNotFound } from './credential-rules';
import { REQUESTS_DEFAULT_LIMIT } from './credential-schemas';
import type { Clock } from './ports';

export interface AnsweredScimRequest {
  tenantId: string;
  credentialId: string;
  method: string;
  path: string;
  status: number;
  sourceIp: string;
  userAgent: string;
}

/** Writes one request of a credential (one unconditional put). */
export async function recordScimRequest(
  repo: Pick<CredentialRepository, 'recordRequest'>,
  clock: Clock,
  r: AnsweredScimRequest,
): Promise<void> {
  const record: ScimRequestRecord = {
    at: clock.now().toISOString(),
    credentialId: r.credentialId,
    method: r.method.slice(0, 10),
    path: r.path.split('?')[0]!.slice(0, 2048),
    status: r.status,
    sourceIp: r.sourceIp.slice(0, 64),
    userAgent: r.userAgent.slice(0, 200),
  };
  await repo.recordRequest(r.tenantId, record);
}

/** A credential's most recent SCIM requests, newest first; 404 for an unknown tenant or credential. */
export async function listScimRequests(
  repo: Pick<CredentialRepository, 'getTenant' | 'getCredential' | 'listRequests'>,
  tenantId: string,
  credentialId: string,
): Promise<{ requests: ScimRequestRecord[] }> {
  if (!isValidTenantId(tenantId) || !(await repo.getTenant(tenantId))) throw tenantNotFound(tenantId);
  if (!(await repo.getCredential(tenantId, credentialId)))
    throw ScimError.notFound(`credential '${credentialId.slice(0, 64)}' not found`);
  return { requests: await repo.listRequests(tenantId, credentialId, REQUESTS_DEFAULT_LIMIT) };
}
