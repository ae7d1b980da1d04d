/**
 * The recent SCIM requests of each credential (the console's Activity view, issue 11): one small item per
 * authenticated request, written with the request's write or after it is answered, kept REQUEST_LOG_DAYS (DynamoDB
 * TTL), read newest first by one query of that credential's partition. Nothing secret: the path without its query string, the method, the
 * status, the source address and the User-Agent.
 */
import type { CredentialRepository, ScimRequestRecord } from './credential-model';
import { ScimError } from '../scim/errors';
import { isValidTenantId, tenantNotFound } from './credential-rules';
import { REQUESTS_DEFAULT_LIMIT } from './credential-schemas';
import type { Clock, RequestRecordRider } from './ports';
import { randomUUID } from 'node:crypto';

export interface AnsweredScimRequest {
  tenantId: string;
  credentialId: string;
  method: string;
  path: string;
  status: number;
  sourceIp: string;
  userAgent: string;
}

/**
 * The record of one authenticated request, begun when it is authenticated (its time and key fixed then). A write
 * carries `rider` in its own transaction (Scope.record) once the edge has set the status it answers on success;
 * `answered` writes the record (one unconditional put) unless that transaction already did with the same status,
 * and rewrites the same item when the answer turned out different. A 503 that nothing carried is not recorded:
 * storage is busy or gone, so the put would wait out the same timeouts and fail too.
 */
export interface ScimRequestRecorder {
  rider: RequestRecordRider;
  answered(status: number): Promise<void>;
}

export function startScimRequestRecord(
  repo: Pick<CredentialRepository, 'recordRequest' | 'requestRecordItem'>,
  clock: Clock,
  r: Omit<AnsweredScimRequest, 'status'>,
): ScimRequestRecorder {
  const id = randomUUID();
  const at = clock.now().toISOString();
  const record = (status: number): ScimRequestRecord => ({
    at,
    credentialId: r.credentialId,
    method: r.method.slice(0, 10),
    path: r.path.split('?')[0]!.slice(0, 2048),
    status,
    sourceIp: r.sourceIp.slice(0, 64),
    userAgent: r.userAgent.slice(0, 200),
  });
  const rider: RequestRecordRider = {
    written: false,
    item: (status) => repo.requestRecordItem(r.tenantId, record(status), id),
  };
  return {
    rider,
    answered: async (status) => {
      if (rider.written ? rider.onSuccess === status : status === 503) return;
      await repo.recordRequest(r.tenantId, record(status), id);
    },
  };
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
