/**
 * Local SET signing seed: `<data dir>/set-key.json` (`{ "seed": "…" }`, mode 0600), created on first use with
 * `wx` so two processes starting at once keep the first one written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setKeyDocumentSchema, type SetKeyDocument, type SetKeySource } from '../../domain/events/set';

export class FileSetKeySource implements SetKeySource {
  constructor(private readonly path: string) {}

  async load(): Promise<SetKeyDocument> {
    const fresh: SetKeyDocument = { seed: randomBytes(32).toString('base64url') };
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFile(this.path, `${JSON.stringify(fresh)}\n`, { mode: 0o600, flag: 'wx' }).catch(
      (e: { code?: string }) => {
        if (e.code !== 'EEXIST') throw e;
      },
    );
    const parsed = setKeyDocumentSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
    if (!parsed.success) throw new Error(`${this.path} is not a SET seed document`);
    return parsed.data;
  }
}
