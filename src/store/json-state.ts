import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { corruptName, isTemporaryOf } from './layout.js';

/**
 * Loads a state file checked by its schema. A missing file gives `empty()`; a file
 * that cannot be parsed is moved aside (kept for inspection) and `empty()` is used,
 * with a warning that says where it went.
 */
export async function loadJsonState<T>(
  file: string,
  schema: z.ZodType<T>,
  empty: () => T,
  what: string,
  reader = false,
): Promise<{ state: T; warning?: string }> {
  // A reader beside the running daemon (e.g. `status`) leaves its files alone.
  if (!reader) await removeStaleTemporaries(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: empty() };
    return {
      state: empty(),
      warning: `${file} cannot be read (${(e as NodeJS.ErrnoException).code}); using a fresh ${what} for this cycle`,
    };
  }
  const parsed = parseJsonState(text, schema);
  if (parsed.ok) return { state: parsed.state };
  const aside = path.join(path.dirname(file), corruptName(path.basename(file), new Date()));
  const why = parsed.why;
  if (reader) return { state: empty(), warning: `${file} is corrupt (${why})` };
  try {
    await fs.rename(file, aside);
  } catch (e) {
    return {
      state: empty(),
      warning: `${file} is corrupt (${why}) and could not be moved aside (${(e as NodeJS.ErrnoException).code}); using a fresh ${what}`,
    };
  }
  return { state: empty(), warning: `${file} was corrupt (${why}); moved it to ${aside} and started a fresh ${what}` };
}

/** A state file's text checked by its schema: every object comes back without a prototype. */
export function parseJsonState<T>(
  text: string,
  schema: z.ZodType<T>,
): { ok: true; state: T } | { ok: false; why: string } {
  const parsed = safeJson(text);
  const checked = parsed.ok ? schema.safeParse(parsed.value) : undefined;
  if (checked?.success) return { ok: true, state: prototypeFree(checked.data) as T };
  return {
    ok: false,
    why: parsed.ok ? checked!.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : parsed.error,
  };
}

/** Temporary files of writes that a crash cut short; the daemon is the only writer, so at load they are stale. */
async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (isTemporaryOf(path.basename(file), n)) await fs.rm(path.join(dir, n), { force: true });
}

// Keys in state files come from the model and from repos. zod drops a `__proto__` key
// when it parses a record, and a plain object would take it as its prototype, so the
// key travels under a stand-in through the parse, and every object comes back
// without a prototype.
const PROTO = '\u0000__proto__';

function hideProto(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, '__proto__')) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k === '__proto__' ? PROTO : k] = v;
  return out;
}

function prototypeFree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prototypeFree);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(value)) out[k === PROTO ? '__proto__' : k] = prototypeFree(v);
  return out;
}

/** JSON from outside, read without a prototype key, or why it is not JSON. */
export function safeJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text, hideProto) };
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
}
