/**
 * Change events end to end: SCIM writes over the local server → DynamoDB Local's stream → the producer → the tenant's
 * event log. What each write produces, who it is attributed to, and that nothing else appears.
 */
import { startHarness, type Harness } from '../support/harness';

const ENTRA = { 'user-agent': 'Microsoft Azure Active Directory SCIM Provisioning Client' };

describe('change events from the table stream', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ events: true, tenantId: 'evt' });
  });
  afterAll(() => h.close());

  it('a user lifecycle and a group membership, in order, attributed to the credential and the IdP', async () => {
    const created = await h.request('POST', 'Users', {
      headers: ENTRA,
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ada@example.com',
        active: true,
      },
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;
    const patched = await h.request('PATCH', `Users/${userId}`, {
      headers: ENTRA,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      },
    });
    expect(patched.status).toBe(200);
    const group = await h.request('POST', 'Groups', {
      headers: ENTRA,
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Eng',
        members: [{ value: userId }],
      },
    });
    expect(group.status).toBe(201);
    const groupId = group.body.id as string;
    expect(
      (
        await h.request('PATCH', `Groups/${groupId}`, {
          headers: ENTRA,
          body: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Remove', path: 'members', value: [{ value: userId }] }],
          },
        })
      ).status,
    ).toBe(204);
    expect((await h.request('DELETE', `Users/${userId}`, { headers: ENTRA })).status).toBe(204);

    const events = await h.waitForEvents(7);
    const credentialEvents = events.filter((e) => e.resourceType === 'Credential');
    expect(credentialEvents.map((e) => e.type)).toEqual(['credential.created']);
    const scim = events.filter((e) => e.resourceType !== 'Credential');
    expect(scim.map((e) => e.type)).toEqual([
      'user.created',
      'user.deactivated',
      'group.created',
      'group.member_added',
      'group.member_removed',
      'user.deleted',
    ]);
    const actor = scim[0]?.actor;
    expect(actor).toEqual({ credentialId: expect.any(String), idp: 'entra' });
    expect(scim[1]).toMatchObject({ resourceId: userId, version: 2, actor, data: { active: false } });
    expect(scim[3]).toMatchObject({ resourceId: groupId, member: { value: userId, type: 'User' }, actor });
    expect(scim[5]).toMatchObject({ resourceId: userId, version: 3, actor: null });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
