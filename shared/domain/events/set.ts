/**
 * Change events as Security Event Tokens: RFC 8417 SETs with the SCIM event URIs of RFC 9967, signed with `jose`
 * (EdDSA / Ed25519). The signing key derives from a random seed kept in Secrets Manager (AWS) or a local file; the
 * public keys are published as a JWKS (GET /admin/v1/events/jwks.json). A seed document may list previous seeds, so
 * a rotation publishes the old key next to the new one until receivers have moved (docs/events.md).
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, type JWK } from 'jose';
import * as z from 'zod/mini';
import type { ChangeEvent, EventSigner, EventType } from './model';

export const SET_TYPE = 'secevent+jwt';
export const SET_ALG = 'EdDSA';
/** Our own event, carried next to the RFC 9967 one (or alone, for credential events). */
export const SCIMGATE_EVENT_URI = 'urn:scimgate:params:event';

/** `{ "seed": "<random>", "previousSeeds": ["<older>"] }`: the document in the secret or the local file. */
export const setKeyDocumentSchema = z.object({
  seed: z.string().check(z.minLength(32)),
  previousSeeds: z.optional(z.array(z.string().check(z.minLength(32)))),
});
export type SetKeyDocument = z.infer<typeof setKeyDocumentSchema>;

/** Where the seed document comes from. */
export interface SetKeySource {
  load(): Promise<SetKeyDocument>;
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

// PKCS#8 prefix of a raw Ed25519 private key (RFC 8410): the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

async function keyOf(seed: string): Promise<SigningKey> {
  const raw = createHash('sha256').update(`scimgate-set-signing:${seed}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: SET_ALG, use: 'sig' } };
}

/** The RFC 9967 event URI of a change event, where the RFC defines one. */
const RFC9967: Partial<Record<EventType, string>> = {
  'user.created': 'urn:ietf:params:scim:event:prov:create:full',
  'group.created': 'urn:ietf:params:scim:event:prov:create:full',
  'user.updated': 'urn:ietf:params:scim:event:prov:patch:notice',
  'group.updated': 'urn:ietf:params:scim:event:prov:patch:notice',
  'group.member_added': 'urn:ietf:params:scim:event:prov:patch:notice',
  'group.member_removed': 'urn:ietf:params:scim:event:prov:patch:notice',
  'user.deactivated': 'urn:ietf:params:scim:event:prov:deactivate',
  'user.reactivated': 'urn:ietf:params:scim:event:prov:activate',
  'user.deleted': 'urn:ietf:params:scim:event:prov:delete',
  'group.deleted': 'urn:ietf:params:scim:event:prov:delete',
};

/** The SET payload of an event (without iss/iat, which the signer adds). */
export function setClaims(event: ChangeEvent): Record<string, unknown> {
  const events: Record<string, unknown> = {};
  const uri = RFC9967[event.type];
  if (uri) {
    const body: Record<string, unknown> = {};
    if (uri.endsWith(':create:full') && event.data) body.data = event.data;
    if (uri.endsWith(':patch:notice'))
      body.attributes = event.member ? ['members'] : (event.changedAttributes ?? []);
    if (event.version !== undefined) body.version = `W/"${event.version}"`;
    events[uri] = body;
  }
  const { data: _data, ...summary } = event;
  events[SCIMGATE_EVENT_URI] = summary;
  const path = event.resourceType === 'Credential' ? 'Credentials' : `${event.resourceType}s`;
  return {
    jti: event.id,
    txn: event.id,
    aud: `urn:scimgate:tenant:${event.tenant}`,
    toe: Math.floor(Date.parse(event.time) / 1000),
    sub_id: { format: 'scim', uri: `/${path}/${event.resourceId}` },
    events,
  };
}

export class JoseSetSigner implements EventSigner {
  private keys: Promise<SigningKey[]> | undefined;

  constructor(
    private readonly source: SetKeySource,
    private readonly issuer: string,
  ) {}

  private load(): Promise<SigningKey[]> {
    this.keys ??= this.source
      .load()
      .then((doc) => Promise.all([doc.seed, ...(doc.previousSeeds ?? [])].map(keyOf)))
      .catch((e: unknown) => {
        this.keys = undefined;
        throw e;
      });
    return this.keys;
  }

  async sign(event: ChangeEvent): Promise<string> {
    const [current] = await this.load();
    if (!current) throw new Error('no SET signing key');
    return new SignJWT(setClaims(event))
      .setProtectedHeader({ alg: SET_ALG, typ: SET_TYPE, kid: current.kid })
      .setIssuer(this.issuer)
      .setIssuedAt()
      .sign(current.privateKey);
  }

  /** The public keys (current first) as a JSON Web Key Set. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.load()).map((k) => k.publicJwk) };
  }
}
