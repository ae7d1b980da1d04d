import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePepperSource } from '../../../shared/adapters/local/pepper-file';
import { PepperConfigError } from '../../../shared/credentials/pepper';

describe('FilePepperSource', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scimgate-pepper-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should create the file with one 32-byte version and mode 0600 when absent', async () => {
    const path = join(dir, 'nested', 'pepper.json');

    const pepper = await new FilePepperSource(path).load();

    const document = JSON.parse(await readFile(path, 'utf8')) as {
      versions: { version: number; key: string; createdAt: string }[];
    };
    expect(document.versions).toHaveLength(1);
    expect(document.versions[0]?.version).toBe(1);
    expect(Number.isNaN(Date.parse(document.versions[0]?.createdAt ?? ''))).toBe(false);
    expect(pepper.current.version).toBe(1);
    expect(pepper.current.key).toHaveLength(32);
    expect(pepper.current.key.toString('base64')).toBe(document.versions[0]?.key);
    expect(pepper.previous).toEqual([]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['pepper.json']);
  });

  it('should reload the same key from an existing file', async () => {
    const path = join(dir, 'pepper.json');
    const first = await new FilePepperSource(path).load();

    const second = await new FilePepperSource(path).load();

    expect(second.current.key.equals(first.current.key)).toBe(true);
  });

  it('should create the key only once when several instances start at the same time', async () => {
    const path = join(dir, 'pepper.json');

    const peppers = await Promise.all(Array.from({ length: 8 }, () => new FilePepperSource(path).load()));

    const keys = new Set(peppers.map((p) => p.current.key.toString('hex')));
    expect(keys.size).toBe(1);
    expect(await readdir(dir)).toEqual(['pepper.json']);
  });

  it('should share one load between concurrent callers of one instance', async () => {
    const source = new FilePepperSource(join(dir, 'pepper.json'));

    const [a, b] = await Promise.all([source.load(), source.load()]);

    expect(a).toBe(b);
  });

  it('should treat the highest of several versions as current', async () => {
    const path = join(dir, 'pepper.json');
    const keys = [1, 2, 3].map((n) => Buffer.alloc(32, n));
    const document = {
      versions: [
        { version: 2, key: keys[1]?.toString('base64') },
        { version: 3, key: keys[2]?.toString('base64'), createdAt: '2025-06-01T00:00:00.000Z' },
        { version: 1, key: keys[0]?.toString('base64') },
      ],
    };
    await writeFile(path, JSON.stringify(document), { mode: 0o600 });

    const pepper = await new FilePepperSource(path).load();

    expect(pepper.current).toEqual({ version: 3, key: keys[2] });
    expect(pepper.previous).toEqual([
      { version: 2, key: keys[1] },
      { version: 1, key: keys[0] },
    ]);
  });

  it('should reject a malformed file with a clear error and retry on the next load', async () => {
    const path = join(dir, 'pepper.json');
    await writeFile(path, JSON.stringify({ versions: [{ version: 1, key: 'short' }] }), { mode: 0o600 });
    const source = new FilePepperSource(path);

    await expect(source.load()).rejects.toThrow(PepperConfigError);
    await writeFile(
      path,
      JSON.stringify({ versions: [{ version: 1, key: Buffer.alloc(32, 9).toString('base64') }] }),
    );

    await expect(source.load()).resolves.toMatchObject({ current: { version: 1 } });
  });

  it('should refuse a file that others can read', async () => {
    const path = join(dir, 'pepper.json');
    await new FilePepperSource(path).load();
    await chmod(path, 0o644);

    await expect(new FilePepperSource(path).load()).rejects.toThrow(/chmod 600/);
  });
});
