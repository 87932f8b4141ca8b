import fs from 'node:fs/promises';
import path from 'node:path';
import { temporaryName, writeProbeName } from './layout.js';

/**
 * Writes a file so that a reader (or a crash) only ever sees the old or the new
 * content: write a temporary file beside it, then rename over the target. `durable`
 * adds an fsync before the rename, so the new content also survives a power cut;
 * state the daemon must not lose needs it, reports it can rewrite do not.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o644, durable = true): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = temporaryName(file, `${process.pid}.${Date.now()}`);
  try {
    const handle = await fs.open(tmp, 'w', mode);
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    // A full disk must not also fill up with half-written temporaries.
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Why a directory cannot take a durable write now (a full disk, a read-only mount),
 * or undefined when it can: a small file is written, synced and removed.
 */
export async function unwritable(dir: string): Promise<string | undefined> {
  const probe = path.join(dir, writeProbeName(String(process.pid)));
  try {
    // Not synced: a full disk refuses the write itself; a read-only mount refuses the open.
    await writeFileAtomic(probe, 'x'.repeat(4096), 0o644, false);
    await fs.rm(probe, { force: true });
    return undefined;
  } catch (e) {
    return `${dir} cannot take a write (${(e as NodeJS.ErrnoException).code ?? e})`;
  }
}
