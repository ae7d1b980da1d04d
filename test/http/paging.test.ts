/**
 * Paging over HTTP: every page is full or carries nextCursor even where DynamoDB cuts a query at 1 MB; startIndex
 * paging never skips, and answers the same page after deletions as without the stored bookmarks.
 */
import { startHarness, type Harness } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

let big: Harness;
let small: Harness;
const bigIds: string[] = [];
beforeAll(async () => {
  [big, small] = await Promise.all([
    startHarness({ tenantId: 'bigpages' }),
    startHarness({ tenantId: 'marks' }),
  ]);
  // 60 users of ~20 KB: 1.2 MB, so one DynamoDB query cannot return them all.
  for (let i = 0; i < 60; i++) {
    const res = await big.request('POST', 'Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName: `big${i}@x.example`,
        title: `${i}`.padEnd(10_000, 'x'),
        nickName: 'y'.repeat(10_000),
      },
    });
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${res.text}`);
    bigIds.push(res.body.id as string);
  }
});
afterAll(async () => {
  await Promise.all([big.close(), small.close()]);
});

const ids = (body: { Resources: { id: string }[] }) => body.Resources.map((r) => r.id);

describe('pages across the 1 MB query cut', () => {
  it('should answer count=60&cursor= with all 60 users', async () => {
    const res = await big.request('GET', 'Users?count=60&cursor=&attributes=userName');
    expect(res.status).toBe(200);
    expect(res.body.itemsPerPage).toBe(60);
    expect(ids(res.body)).toEqual(bigIds);
  });

  it('should give full pages or a nextCursor while walking by cursor', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let guard = 0; guard < 10; guard++) {
      const res = await big.request('GET', `Users?count=25&attributes=userName&cursor=${cursor}`);
      seen.push(...ids(res.body));
      if (!res.body.nextCursor) break;
      expect(res.body.itemsPerPage).toBe(25);
      cursor = res.body.nextCursor as string;
    }
    expect(seen).toEqual(bigIds);
  });

  it('should never skip a user when startIndex advances by count', async () => {
    const first = await big.request('GET', 'Users?startIndex=1&count=60&attributes=userName');
    expect(first.body.itemsPerPage).toBe(60);
    const seen: string[] = [];
    for (let start = 1; start <= 60; start += 25) {
      const res = await big.request('GET', `Users?startIndex=${start}&count=25&attributes=userName`);
      seen.push(...ids(res.body));
    }
    expect(seen).toEqual(bigIds);
  });
});

describe('startIndex after deletions', () => {
  it('should answer the same page with and without the bookmarks left by earlier pages', async () => {
    const made: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await small.request('POST', 'Users', {
        body: { schemas: [USER_SCHEMA], userName: `m${i}@x.example` },
      });
      made.push(res.body.id as string);
    }
    // An import walks the collection, leaving bookmarks at positions 10, 20 and 30.
    for (const start of [1, 11, 21]) {
      expect((await small.request('GET', `Users?startIndex=${start}&count=10`)).body.itemsPerPage).toBe(10);
    }
    for (const id of [made[1], made[4], made[7]]) {
      expect((await small.request('DELETE', `Users/${id}`)).status).toBe(204);
    }
    // Computed without bookmarks: the whole collection from the start.
    const all = ids((await small.request('GET', 'Users?startIndex=1&count=1000')).body);
    expect(all).toHaveLength(27);
    for (const start of [11, 21, 5]) {
      const page = await small.request('GET', `Users?startIndex=${start}&count=10`);
      expect(ids(page.body)).toEqual(all.slice(start - 1, start - 1 + 10));
    }
  });
});
