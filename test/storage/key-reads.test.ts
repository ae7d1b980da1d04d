/**
 * Reading many sort keys of one partition (shared/adapters/dynamodb/key-reads.ts, decision 0020), against DynamoDB
 * Local: both plans give exactly the keys that exist, and each plan makes the calls it is meant to (counted on the
 * document client).
 */
import * as fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { BatchWriteCommand } from '../../shared/adapters/dynamodb/commands';
import { RANGE_READ_MIN, readByKey, readKeys } from '../../shared/adapters/dynamodb/key-reads';
import { StorageUnavailable } from '../../shared/domain/storage-errors';
import { createTestTable, type TestTable } from '../support/tables';

let table: TestTable;
const calls: string[] = [];

beforeAll(async () => {
  table = await createTestTable();
  table.doc.intercept('keyReadsTestCounter', async (call, next) => {
    calls.push(call.operation);
    return next();
  });
});

async function put(pk: string, sks: string[]): Promise<void> {
  for (let i = 0; i < sks.length; i += 25)
    await table.doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [table.tableName]: sks
            .slice(i, i + 25)
            .map((sk) => ({ PutRequest: { Item: { pk, sk, v: `v-${sk}` } } })),
        },
      }),
    );
}

async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  calls.length = 0;
  const result = await fn();
  return { result, calls: [...calls] };
}

const sks = (items: Record<string, unknown>[]) => items.map((it) => it.sk as string).sort();
const ids = (n: number) => Array.from({ length: n }, () => uuidv7());

describe('readKeys', () => {
  it('should answer ids created together with one Query that reads only the items that exist', async () => {
    const pk = `sparse-${uuidv7()}`;
    const batch = ids(100);
    const existing = batch.filter((_, i) => i % 3 === 0);
    await put(pk, existing);
    const { result, calls: made } = await counted(() =>
      readKeys(table.doc, table.tableName, pk, batch, { attributes: [] }),
    );
    expect(sks(result)).toEqual([...existing].sort());
    expect(made).toEqual(['Query']);
    // Only the keys (and what was asked for) come back.
    expect(Object.keys(result[0]!).sort()).toEqual(['pk', 'sk']);
  });

  it('should read by key what a dense range stopped short of (one Query, then BatchGetItem for the rest)', async () => {
    const pk = `dense-${uuidv7()}`;
    const all = ids(400);
    await put(pk, all);
    // Every fourth id: the range holds four times as many items as ids, so the Query stops a quarter of the way.
    const wanted = all.filter((_, i) => i % 4 === 0);
    const { result, calls: made } = await counted(() => readKeys(table.doc, table.tableName, pk, wanted));
    expect(sks(result)).toEqual([...wanted].sort());
    expect(made[0]).toBe('Query');
    expect(made.slice(1).every((c) => c === 'BatchGetItem')).toBe(true);
    expect(made.length).toBe(2);
    expect(result.every((it) => it.v === `v-${it.sk as string}`)).toBe(true);
  });

  it('should read fewer ids than RANGE_READ_MIN by key, and nothing for none', async () => {
    const pk = `few-${uuidv7()}`;
    const few = ids(RANGE_READ_MIN - 1);
    await put(pk, few.slice(0, 3));
    const { result, calls: made } = await counted(() => readKeys(table.doc, table.tableName, pk, few));
    expect(sks(result)).toEqual(few.slice(0, 3).sort());
    expect(made).toEqual(['BatchGetItem']);
    expect((await counted(() => readKeys(table.doc, table.tableName, pk, []))).calls).toEqual([]);
  });

  it('should find each item once when ids repeat', async () => {
    const pk = `dup-${uuidv7()}`;
    const batch = ids(20);
    await put(pk, batch);
    const result = await readKeys(table.doc, table.tableName, pk, [...batch, ...batch.slice(0, 10)]);
    expect(sks(result)).toEqual([...batch].sort());
  });

  it('should give the same answer as reading by key, for any ids in any order (byte order, not UTF-16 order)', async () => {
    const pk = `prop-${uuidv7()}`;
    // Ids beyond the BMP sort differently by UTF-16 code units than by UTF-8 bytes (DynamoDB's order).
    const id = fc.string({
      unit: fc.constantFrom('a', 'z', '0', '~', 'é', '\uffee', '😀', '\u{10ffff}'),
      minLength: 1,
      maxLength: 4,
    });
    const universe = [...new Set(fc.sample(id, { numRuns: 300, seed: 7 }))];
    const stored = universe.filter((_, i) => i % 2 === 0);
    await put(pk, stored);
    await fc.assert(
      fc.asyncProperty(fc.subarray(universe, { minLength: 0, maxLength: 120 }), async (asked) => {
        const truth = new Set(asked.filter((x) => stored.includes(x)));
        const viaRange = sks(
          await readKeys(
            table.doc,
            table.tableName,
            pk,
            fc.sample(fc.shuffledSubarray(asked, { minLength: asked.length }), 1)[0]!,
          ),
        );
        const viaKey = sks(await readByKey(table.doc, table.tableName, pk, asked));
        expect(viaRange).toEqual([...truth].sort());
        expect(viaKey).toEqual([...truth].sort());
      }),
      { numRuns: 40 },
    );
  });

  it('should read again what DynamoDB left unprocessed (throttling), and answer busy if it never is', async () => {
    const pk = `unprocessed-${uuidv7()}`;
    const few = ids(5);
    await put(pk, few);
    let unprocessedLeft = 2;
    const leaveUnprocessed = (always: boolean) =>
      table.doc.intercept('leaveUnprocessed', async (call, next) => {
        if (call.operation !== 'BatchGetItem' || (!always && unprocessedLeft-- <= 0)) return next();
        const input = call.input as { RequestItems: Record<string, unknown> };
        return { Responses: { [table.tableName]: [] }, UnprocessedKeys: input.RequestItems } as never;
      });
    leaveUnprocessed(false);
    try {
      const { result, calls: made } = await counted(() => readKeys(table.doc, table.tableName, pk, few));
      expect(sks(result)).toEqual([...few].sort());
      expect(made).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
      leaveUnprocessed(true);
      await expect(readKeys(table.doc, table.tableName, pk, few)).rejects.toBeInstanceOf(StorageUnavailable);
    } finally {
      table.doc.removeInterceptor('leaveUnprocessed');
    }
  });
});
