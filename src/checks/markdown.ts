import path from 'node:path';
import { readRegular, walkFiles } from '../files/read-regular.js';
import { parseCheckFile, type CheckFile } from './check-file.js';
import type { CheckSet } from './check-set.js';

export const MAX_FILE = 256 * 1024;
export const LIMITS = { maxDepth: 6, maxFiles: 500 };

const isMarkdown = (name: string): boolean => name.endsWith('.md') && name.toLowerCase() !== 'readme.md';

/** The markdown files under `dir` (README excluded), read within the limits and parsed; a file that cannot be read is a problem. */
export async function readMarkdown(
  dir: string,
  limits: typeof LIMITS,
  set: CheckSet,
): Promise<{ files: { rel: string; file: string; parsed: CheckFile }[]; truncated: boolean }> {
  const found = await walkFiles(dir, isMarkdown, limits);
  const files: { rel: string; file: string; parsed: CheckFile }[] = [];
  for (const rel of found.files) {
    const file = path.join(dir, rel);
    const text = await readRegular(file, MAX_FILE);
    if (!text.ok) set.problems.push({ file, problem: `not read: it ${text.why}` });
    else files.push({ rel, file, parsed: parseCheckFile(text.text) });
  }
  return { files, truncated: found.truncated };
}
