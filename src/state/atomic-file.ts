import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that a reader (or a crash) only ever sees the old or the new
 * content: write a temporary file beside it, then rename over the target. `durable`
 * adds an fsync before the rename, so the new content also survives a power cut;
 * state the daemon must not lose needs it, reports it can rewrite do not.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o644, durable = true): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}
