import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that a reader (or a crash) only ever sees the old or the new
 * content: write a temporary file beside it, fsync, then rename over the target.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}
