/**
 * A fresh `npm start` (startLocal, over the run's DynamoDB Local): an Entra and an Okta replay, then a consumer that
 * reads every change through the events API and through `scimgate events tail`, in order; a local webhook URL gets
 * the same events; the tail follows new events as they happen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../bin/cli';
import { startLocal, type RunningLocal } from '../../functions/local/main';
import type { ChangeEvent } from '../../shared/domain/events/model';
import { issuedSecrets } from '../support/harness';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTRA = 'Microsoft Azure Active Directory SCIM Provisioning Client';
const OKTA = 'Okta SCIM Client 1.0.0';

let local: RunningLocal;
let dataDir: string;
let hook: Server;
const hooked: ChangeEvent[] = [];

async function scim(userAgent: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${local.info.scimBaseUrl}/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${local.info.token}`,
      'user-agent': userAgent,
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Runs the CLI in-process against the local server (found through local.json in the data dir). */
function cli(args: string[], signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const done = run(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { SCIMGATE_DATA_DIR: dataDir },
    ...(signal ? { signal } : {}),
  });
  return { done, stdout: () => stdout, stderr: () => stderr };
}

async function eventsApi(): Promise<ChangeEvent[]> {
  const res = await fetch(`${local.info.adminUrl}/tenants/dev/events?limit=1000`, {
    headers: { 'x-admin-key': local.info.adminKey },
  });
  return ((await res.json()) as { events: ChangeEvent[] }).events;
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooked.push(JSON.parse(body) as ChangeEvent);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  process.env.EVENTS_WEBHOOK_URL = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`;
  process.env.SCIMGATE_JOB_INTERVAL_SECONDS = '0';
  dataDir = mkdtempSync(join(tmpdir(), 'scimgate-events-local-'));
  local = await startLocal({
    port: 0,
    dataDir,
    inMemory: true,
    tableName: `events-local-${process.pid}-${Date.now()}`,
    dynamoEndpoint: process.env.SCIMGATE_TEST_DDB_ENDPOINT!,
  });
  issuedSecrets.push(local.info.token, local.info.adminKey);
});
afterAll(async () => {
  await local.stop();
  await new Promise((r) => hook.close(r));
  delete process.env.EVENTS_WEBHOOK_URL;
});

it('shows every change of an Entra and an Okta replay, in order, through the events API, the CLI and the webhook', async () => {
  // Entra: create, deactivate by PATCH, a group with the user added by PATCH.
  const ada = await scim(ENTRA, 'POST', 'Users', {
    schemas: [USER],
    userName: 'ada@contoso.example',
    active: true,
  });
  await scim(ENTRA, 'PATCH', `Users/${ada.body.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
  });
  const eng = await scim(ENTRA, 'POST', 'Groups', {
    schemas: [GROUP],
    displayName: 'Engineering',
    members: [],
  });
  await scim(ENTRA, 'PATCH', `Groups/${eng.body.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: ada.body.id }] }],
  });
  // Okta: create, deactivate with a full PUT, a pushed group with an add list and a remove filter.
  const bob = await scim(OKTA, 'POST', 'Users', {
    schemas: [USER],
    userName: 'bob@okta.example',
    active: true,
  });
  const got = await scim(OKTA, 'GET', `Users/${bob.body.id}`);
  await scim(OKTA, 'PUT', `Users/${bob.body.id}`, { ...got.body, active: false });
  const push = await scim(OKTA, 'POST', 'Groups', { schemas: [GROUP], displayName: 'Pushed' });
  await scim(OKTA, 'PATCH', `Groups/${push.body.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'add', path: 'members', value: [{ value: bob.body.id }, { value: ada.body.id }] }],
  });
  await scim(OKTA, 'PATCH', `Groups/${push.body.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'remove', path: `members[value eq "${ada.body.id}"]` }],
  });

  const expected = [
    ['credential.created', local.info.credentialId],
    ['user.created', ada.body.id],
    ['user.deactivated', ada.body.id],
    ['group.created', eng.body.id],
    ['group.member_added', eng.body.id],
    ['user.created', bob.body.id],
    ['user.deactivated', bob.body.id],
    ['group.created', push.body.id],
    ['group.member_added', push.body.id],
    ['group.member_added', push.body.id],
    ['group.member_removed', push.body.id],
  ];
  const deadline = Date.now() + 30_000;
  let events = await eventsApi();
  while (events.length < expected.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    events = await eventsApi();
  }
  expect(events.map((e) => [e.type, e.resourceId])).toEqual(expected);
  expect(events.slice(1, 5).every((e) => e.actor?.idp === 'entra')).toBe(true);
  expect(events.slice(5, 10).every((e) => e.actor?.idp === 'okta')).toBe(true);

  const tail = cli(['events', 'tail', '-t', 'dev', '--from-start', '--once', '--json']);
  expect(await tail.done).toBe(0);
  const printed = tail
    .stdout()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ChangeEvent);
  expect(printed).toEqual(events);
  expect(tail.stderr()).toMatch(/^cursor: \d+/);

  const human = cli(['events', 'tail', '-t', 'dev', '--from-start', '--once']);
  expect(await human.done).toBe(0);
  expect(human.stdout()).toContain(`user.deactivated             User ${ada.body.id}  by entra (credential `);

  while (hooked.length < events.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(new Map(hooked.map((e) => [e.id, e.type]))).toEqual(new Map(events.map((e) => [e.id, e.type])));
  expect(hooked.every((e) => typeof (e as { set?: unknown }).set === 'string')).toBe(true);
});

it('follows new events from the end of the log until stopped', async () => {
  const stop = new AbortController();
  const tail = cli(['events', 'tail', '-t', 'dev', '--json', '--interval', '50'], stop.signal);
  // What is in the log already is skipped; the next change shows up.
  await new Promise((r) => setTimeout(r, 500));
  const cy = await scim(OKTA, 'POST', 'Users', { schemas: [USER], userName: 'cy@okta.example' });
  const deadline = Date.now() + 20_000;
  while (!tail.stdout().includes(cy.body.id) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  stop.abort();
  expect(await tail.done).toBe(0);
  const lines = tail
    .stdout()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ChangeEvent);
  expect(lines.map((e) => [e.type, e.resourceId])).toEqual([['user.created', cy.body.id]]);
});
