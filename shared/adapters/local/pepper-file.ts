/**
 * Local-development pepper: a JSON file next to the local data, created on first use.
 *
 *   { "versions": [ { "version": 1, "key": "<base64 of 32 random bytes>", "createdAt": "<ISO 8601>" } ] }
 *
 * (the shape of `pepperDocumentSchema` in shared/credentials/pepper.ts). Several versions may be listed; the
 * highest is current. The file is created with mode 0600 and, like an SSH key, refused when group or others
 * can read it. Creation is atomic (write a temporary file, then hard-link it into place), so two processes
 * starting at once end up with the same key.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  MIN_PEPPER_KEY_BYTES,
  PepperConfigError,
  parsePepperJson,
  type Pepper,
  type PepperDocument,
  type PepperSource,
} from '../../credentials/pepper';

/** Duck-typed: errors from node:fs are not `instanceof Error` across realms (e.g. under jest). */
function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export class FilePepperSource implements PepperSource {
  private loading: Promise<Pepper> | undefined;

  constructor(private readonly path: string) {}

  /** Reads (or first creates) the file once per instance; concurrent callers share one read. */
  load(): Promise<Pepper> {
    this.loading ??= this.readOrCreate().catch((error: unknown) => {
      this.loading = undefined; // a failed read is retried by the next caller
      throw error;
    });
    return this.loading;
  }

  private async readOrCreate(): Promise<Pepper> {
    try {
      return await this.read();
    } catch (error) {
      if (!hasErrorCode(error, 'ENOENT')) throw error;
    }
    await this.create();
    return this.read();
  }

  private async read(): Promise<Pepper> {
    const text = await readFile(this.path, 'utf8');
    if (process.platform !== 'win32') {
      const { mode } = await stat(this.path);
      if ((mode & 0o077) !== 0) {
        throw new PepperConfigError(
          `pepper file ${this.path} is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`,
        );
      }
    }
    return parsePepperJson(text, this.path);
  }

  private async create(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const document: PepperDocument = {
      versions: [
        {
          version: 1,
          key: randomBytes(MIN_PEPPER_KEY_BYTES).toString('base64'),
          createdAt: new Date().toISOString(),
        },
      ],
    };
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, this.path);
    } catch (error) {
      // Another process created the file first: keep theirs.
      if (!hasErrorCode(error, 'EEXIST')) throw error;
    } finally {
      await unlink(temporary);
    }
  }
}
