import fs from 'node:fs/promises';
import path from 'node:path';

// Files from mounted repos are untrusted: a symlink to /dev/zero, a FIFO or a 50 MB
// file must not freeze or exhaust the daemon. Only regular files are read, and only
// up to a cap; directory walks do not follow symlinks and stop at a depth and a count.

/** `missing`: there is no such file, which callers reading optional files do not report. */
export type Regular = { ok: true; text: string } | { ok: false; why: string; missing?: true };

/** The text of a regular file of at most `maxBytes`, or why it was not read. */
export async function readRegular(file: string, maxBytes: number): Promise<Regular> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      why: `cannot be opened (${code ?? e})`,
      ...(code === 'ENOENT' ? { missing: true as const } : {}),
    };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, why: 'is not a regular file' };
    if (st.size > maxBytes) return { ok: false, why: `is ${st.size} bytes, over the ${maxBytes}-byte limit` };
    // Sized by the stat, one byte over to notice growth; grown (up to the cap) only if it did.
    let buf = Buffer.allocUnsafe(st.size + 1);
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (buf.length > maxBytes) return { ok: false, why: `grew over the ${maxBytes}-byte limit while being read` };
        buf = Buffer.concat([buf, Buffer.allocUnsafe(Math.min(buf.length, maxBytes + 1 - buf.length))]);
      }
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > maxBytes) return { ok: false, why: `grew over the ${maxBytes}-byte limit while being read` };
    return { ok: true, text: buf.subarray(0, got).toString('utf8') };
  } catch (e) {
    return { ok: false, why: `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export interface WalkLimits {
  maxDepth: number;
  maxFiles: number;
}

/** Paths (relative to `root`) of files whose name passes `keep`, sorted; symlinked directories are not entered. */
export async function walkFiles(
  root: string,
  keep: (name: string) => boolean,
  limits: WalkLimits,
): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let truncated = false;
  const visit = async (rel: string, depth: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (depth < limits.maxDepth) await visit(child, depth + 1);
        else truncated = true;
      } else if (keep(e.name)) {
        if (files.length >= limits.maxFiles) {
          truncated = true;
          return;
        }
        files.push(child);
      }
    }
  };
  await visit('', 0);
  return { files, truncated };
}
