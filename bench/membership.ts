/**
 * `BENCH_ONLY=membership npm run bench`: group membership at scale (issue 9), against the real handlers over an
 * in-memory DynamoDB Local in this process, with the floor of the same writes measured in the same run.
 *
 *   1. PATCH add 100 members (Entra shape: no member type) vs the floor of its minimal writes: four
 *      BatchWriteItem calls of 25 membership items and one UpdateItem of the group, issued one after another by a
 *      bare document client; at c=1 and c=16 (requests per second, ratio = scimgate / floor; the two alternate in
 *      rounds, pooled per side, so the shared machine's changing load weighs on both alike). Each request adds
 *      to a group of its own, as the issue measured it; at c=16 also all requests on one group (no target: such
 *      changes take the group's change lock one at a time). DynamoDB calls per request by command.
 *   2. DELETE of a 500-member group vs DELETE of a user in no group (p50, ratio).
 *   3. A large group in a large endpoint: add 100, remove 100, replace (the most members one body carries: 400
 *      tooMany past MEMBER_LIST_BOUND), GET with excludedAttributes=members, DELETE; and the worst replace within
 *      the bound (a group of MEMBER_LIST_BOUND members swapped for others); latency and DynamoDB calls per request.
 *
 *   BENCH_MEMBERSHIP_USERS=100000   users in the endpoint for part 3 (parts 1-2 use the first 4 000)
 *   BENCH_MEMBERSHIP_GROUP=50000    members of the large group
 *   BENCH_MEMBERSHIP_REQUESTS=96    requests per concurrency level in parts 1-2
 */
import { BatchWriteCommand, UpdateCommand, type DocumentClient } from '../shared/adapters/dynamodb/commands';
import { v7 as uuidv7 } from 'uuid';
import { keys } from '../shared/adapters/dynamodb/table-design';
import { MEMBER_LIST_BOUND, type Scope } from '../shared/domain/ports';
import { total, type CallCounts, type DynamoCallCounter } from './ddb-counter';
import type { ScimClient } from './http';
import { seedUsers, type SeededUser } from './seed';
import { percentile, round } from './stats';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface MembershipBenchOptions {
  client: ScimClient;
  counter: DynamoCallCounter;
  /** A document client of its own (the floor and seeding are not the server's calls). */
  doc: DocumentClient;
  tableName: string;
  scope: Scope;
  users: number;
  groupSize: number;
  requests: number;
  log: (line: string) => void;
}

export interface Timing {
  requests: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  ddbCallsPerRequest?: number;
}

async function timed(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { reqPerSec: (n * 1000) / (performance.now() - started), latencies };
}

interface Measured {
  reqPerSec: number;
  latencies: number[];
}

/** Rounds of one side pooled: requests over the summed time of the rounds, latencies together. */
function pooled(rounds: Measured[]): Measured {
  const latencies = rounds.flatMap((r) => r.latencies);
  const seconds = rounds.reduce((t, r) => t + r.latencies.length / r.reqPerSec, 0);
  return { reqPerSec: latencies.length / seconds, latencies };
}

const p = (latencies: number[], q: number) =>
  percentile(
    [...latencies].sort((a, b) => a - b),
    q,
  );
const summary = (r: { reqPerSec: number; latencies: number[] }, calls?: number): Timing => ({
  requests: r.latencies.length,
  reqPerSec: round(r.reqPerSec, 1),
  p50: round(p(r.latencies, 50), 1),
  p95: round(p(r.latencies, 95), 1),
  ...(calls !== undefined ? { ddbCallsPerRequest: round(calls / r.latencies.length, 2) } : {}),
});

const perRequest = (calls: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, round(v / n, 2)]));

export async function runMembershipBench(o: MembershipBenchOptions): Promise<Record<string, unknown>> {
  const { client, counter, log } = o;
  const s = keys.scope(o.scope.tenantId, o.scope.endpointId);
  const seeded: SeededUser[] = [];
  const seedTo = async (n: number) => {
    if (seeded.length >= n) return;
    const started = performance.now();
    const r = await seedUsers({
      doc: o.doc,
      tableName: o.tableName,
      scope: o.scope,
      from: seeded.length,
      to: n,
      mode: 'batch',
      parallel: 8,
      onProgress: (d) => log(`seeded ${seeded.length + d} users`),
    });
    seeded.push(...r.users);
    log(`seeded ${n} users in ${round((performance.now() - started) / 1000, 1)} s`);
  };
  const ok = async (
    method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET',
    path: string,
    body: unknown,
    want: number,
  ) => {
    const res = await client.send({ method, path, ...(body !== undefined ? { body } : {}) });
    if (res.status !== want) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
    return res;
  };
  const newGroup = async (name: string, members: string[] = []) =>
    JSON.parse(
      (
        await ok(
          'POST',
          'Groups',
          { schemas: [GROUP], displayName: name, members: members.map((value) => ({ value })) },
          201,
        )
      ).text,
    ).id as string;

  if (o.users < 4000 + o.groupSize + 100)
    throw new Error(
      'BENCH_MEMBERSHIP_USERS must exceed 4 000 + BENCH_MEMBERSHIP_GROUP + 100 (users outside the group)',
    );
  const out: Record<string, unknown> = {};
  await seedTo(4000);

  // 1. PATCH add 100 vs the floor.
  const add100: Record<string, unknown> = {};
  for (const c of [1, 16]) {
    const floorRequest = async () => {
      const pk = keys.members(s, `floor-${uuidv7()}`);
      for (let b = 0; b < 4; b++) {
        await o.doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [o.tableName]: Array.from({ length: 25 }, (_, k) => ({
                PutRequest: {
                  Item: {
                    pk,
                    sk: seeded[b * 25 + k]!.id,
                    type: 'User',
                    memberKey: keys.memberIndex(s, seeded[b * 25 + k]!.id),
                    groupKey: pk,
                    gname: 'floor',
                  },
                },
              })),
            },
          }),
        );
      }
      await o.doc.send(
        new UpdateCommand({
          TableName: o.tableName,
          Key: { pk: keys.resources(s, 'Group'), sk: `floor-${c}` },
          UpdateExpression: 'SET lastModified = :lm ADD version :one',
          ExpressionAttributeValues: { ':lm': new Date().toISOString(), ':one': 1 },
        }),
      );
    };
    // As the issue measured it (Entra's shape): each request adds 100 users to a group of its own, so concurrent
    // PATCHes touch different groups and different users.
    const groups = await Promise.all(
      Array.from({ length: o.requests }, (_, g) => newGroup(`add100-c${c}-${g}`)),
    );
    const addBody = (i: number) => ({
      schemas: [PATCH],
      Operations: [
        {
          op: 'Add',
          path: 'members',
          value: seeded.slice((i % 40) * 100, (i % 40) * 100 + 100).map((u) => ({ value: u.id })),
        },
      ],
    });
    const addTo = (group: string, i: number) => ok('PATCH', `Groups/${group}`, addBody(i), 204);
    // Floor and scimgate alternate in rounds, pooled per side, so a change of the shared machine's load during the
    // run weighs on both sides alike. A round holds at least three waves of c requests (and 10): a round of one
    // wave measures its slowest request, not a rate.
    const perRound = Math.ceil(o.requests / Math.max(1, Math.floor(o.requests / Math.max(3 * c, 10))));
    const floorRounds: Measured[] = [];
    const scimRounds: Measured[] = [];
    const calls: CallCounts = {};
    // The floor's client is not counted: the call times after this mark are the server's (its PATCHes, and any
    // background work of its local loops meanwhile).
    const phaseStart = counter.snapshot();
    for (let done = 0; done < o.requests; done += perRound) {
      const n = Math.min(perRound, o.requests - done);
      floorRounds.push(await timed(n, c, floorRequest));
      const before = counter.snapshot();
      scimRounds.push(await timed(n, c, async (i) => void (await addTo(groups[done + i]!, done + i))));
      for (const [k, v] of Object.entries(counter.since(before))) calls[k] = (calls[k] ?? 0) + v;
    }
    const floor = pooled(floorRounds);
    const scim = pooled(scimRounds);
    add100[`c${c}`] = {
      floor: summary(floor),
      scimgate: {
        ...summary(scim, total(calls)),
        byCommand: perRequest(calls, o.requests),
        callMedianMs: counter.medianSince(phaseStart),
      },
      ratio: round(scim.reqPerSec / floor.reqPerSec, 2),
    };
    log(`PATCH add 100, c=${c}: ${JSON.stringify(add100[`c${c}`])}`);
    if (c > 1) {
      // The same at c concurrent requests on ONE group (no target): changes of more than 98 members to one group
      // take its change lock one at a time (docs/decisions/0014), so this measures that serialisation.
      const one = await newGroup(`add100-one-c${c}`);
      const b = counter.snapshot();
      // A request that waited too long for the lock answers 503 with Retry-After: counted, not retried.
      let busy = 0;
      const same = await timed(o.requests, c, async (i) => {
        const res = await client.send({ method: 'PATCH', path: `Groups/${one}`, body: addBody(i) });
        if (res.status === 503) busy++;
        else if (res.status !== 204)
          throw new Error(`PATCH one group: ${res.status} ${res.text.slice(0, 200)}`);
      });
      const sameCalls = counter.since(b);
      add100[`c${c}OneGroup`] = {
        scimgate: { ...summary(same, total(sameCalls)), byCommand: perRequest(sameCalls, o.requests) },
        answered503: busy,
        ratio: round((same.reqPerSec * (o.requests - busy)) / o.requests / floor.reqPerSec, 2),
      };
      log(`PATCH add 100, c=${c}, one group: ${JSON.stringify(add100[`c${c}OneGroup`])}`);
    }
  }
  out.patchAdd100 = add100;

  // 2. DELETE a 500-member group vs a user in no group.
  const n = Math.max(10, Math.floor(o.requests / 4));
  const big: string[] = [];
  for (let i = 0; i < n; i++)
    big.push(
      await newGroup(
        `del500-${i}`,
        seeded.slice(i * 100, i * 100 + 500).map((u) => u.id),
      ),
    );
  let before = counter.snapshot();
  const delGroup = await timed(
    n,
    1,
    async (i) => void (await ok('DELETE', `Groups/${big[i]}`, undefined, 204)),
  );
  const delGroupCalls = total(counter.since(before));
  const loners = seeded.slice(3000, 3000 + n);
  before = counter.snapshot();
  const delUser = await timed(
    n,
    1,
    async (i) => void (await ok('DELETE', `Users/${loners[i]!.id}`, undefined, 204)),
  );
  const delUserCalls = total(counter.since(before));
  out.delete500 = {
    group500: summary(delGroup, delGroupCalls),
    userInNoGroup: summary(delUser, delUserCalls),
    p50Ratio: round(p(delGroup.latencies, 50) / p(delUser.latencies, 50), 2),
  };
  log(`DELETE 500-member group vs user: ${JSON.stringify(out.delete500)}`);

  // 3. A large group in a large endpoint.
  const started = performance.now();
  await seedTo(o.users);
  const members = seeded.slice(4000, 4000 + o.groupSize).map((u) => u.id);
  const large = await newGroup('large', members.slice(0, 10_000));
  for (let i = 10_000; i < members.length; i += 10_000) {
    await ok(
      'PATCH',
      `Groups/${large}`,
      {
        schemas: [PATCH],
        Operations: [
          { op: 'add', path: 'members', value: members.slice(i, i + 10_000).map((value) => ({ value })) },
        ],
      },
      204,
    );
  }
  log(`large group of ${members.length} built in ${round((performance.now() - started) / 1000, 1)} s`);
  const outside = seeded.slice(4000 + o.groupSize, 4000 + o.groupSize + 100).map((u) => u.id);
  const one = async (
    label: string,
    method: 'PATCH' | 'GET' | 'DELETE',
    path: string,
    body: unknown,
    want: number,
  ) => {
    const b = counter.snapshot();
    const t0 = performance.now();
    // A step that fails is recorded with its status (and the run goes on), never left out.
    const res = await client.send({ method, path, ...(body !== undefined ? { body } : {}) });
    const ms = round(performance.now() - t0, 1);
    const calls = counter.since(b);
    log(
      `large group, ${label}: ${res.status} in ${ms} ms, ${total(calls)} DynamoDB calls ${JSON.stringify(calls)}`,
    );
    return {
      status: res.status,
      ...(res.status !== want ? { expected: want, body: res.text.slice(0, 200) } : {}),
      ms,
      ddbCalls: total(calls),
      byCommand: calls,
    };
  };
  const ops: Record<string, unknown> = {};
  ops.add100 = await one(
    'add 100',
    'PATCH',
    `Groups/${large}`,
    {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: outside.map((value) => ({ value })) }],
    },
    204,
  );
  ops.remove100 = await one(
    'remove 100',
    'PATCH',
    `Groups/${large}`,
    {
      schemas: [PATCH],
      Operations: outside.map((v) => ({ op: 'remove', path: `members[value eq "${v}"]` })),
    },
    204,
  );
  // A replace of the whole list by 10 000 (the most one body carries): a group past MEMBER_LIST_BOUND answers
  // 400 tooMany at once (its difference would grow with the group); within the bound it is diffed and written.
  ops.replace10000 = await one(
    `replace with 10 000 (group of ${members.length})`,
    'PATCH',
    `Groups/${large}`,
    {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'members', value: members.slice(0, 10_000).map((value) => ({ value })) },
      ],
    },
    members.length > MEMBER_LIST_BOUND ? 400 : 204,
  );
  // The worst replace within the bound: a group of MEMBER_LIST_BOUND members swapped for as many others (all of
  // them when the large group has twice the bound: every member removed, every new one added).
  const atBound = await newGroup('at-bound', members.slice(0, MEMBER_LIST_BOUND));
  const others = members.slice(-MEMBER_LIST_BOUND);
  const kept = new Set(members.slice(0, MEMBER_LIST_BOUND));
  ops.replaceAtBound = {
    // Members removed plus members added.
    membersChanged: others.filter((m) => !kept.has(m)).length * 2,
    ...(await one(
      `replace all ${MEMBER_LIST_BOUND} members of a group at the bound`,
      'PATCH',
      `Groups/${atBound}`,
      {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'members', value: others.map((value) => ({ value })) }],
      },
      204,
    )),
  };
  ops.getExcludedMembers = await one(
    'GET excludedAttributes=members',
    'GET',
    `Groups/${large}?excludedAttributes=members`,
    undefined,
    200,
  );
  ops.delete = await one('DELETE', 'DELETE', `Groups/${large}`, undefined, 204);
  out.largeGroup = { users: o.users, groupSize: members.length, ...ops };
  return out;
}
