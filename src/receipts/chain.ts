import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// The receipt ledger's lines, as data: how one is signed and chained to the line
// before it, and how a chain is checked. Where the lines are kept is the store's.

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');

/** The anchor of the very first line. */
export const GENESIS = '0'.repeat(64);

/** Where a chain ends: the last line's seq and its SHA-256 (GENESIS before the first). */
export interface Tail {
  seq: number;
  hash: string;
}

/** The chain's tail as the state directory keeps it, apart from the ledger. */
export type Anchor = Tail;

/** What an append gives back: the new line's seq and MAC. */
export interface Receipt {
  seq: number;
  hash: string;
}

/**
 * The line that follows `tail` for `record`: redacted first, then numbered, stamped
 * `at`, linked to the line before by `prev_hash`, and signed with `key` (`mac`, an
 * HMAC-SHA256 of the line without it).
 */
export function signReceipt(
  key: Buffer,
  tail: Tail,
  record: Record<string, unknown>,
  redact: (text: string) => string,
  at: Date,
): { line: string; tail: Tail; receipt: Receipt } {
  const body = JSON.parse(redact(JSON.stringify(record))) as Record<string, unknown>;
  const entry = { seq: tail.seq + 1, at: at.toISOString(), ...body, prev_hash: tail.hash };
  const unsigned = JSON.stringify(entry);
  const hash = mac(key, unsigned);
  const line = `${unsigned.slice(0, -1)},"mac":"${hash}"}`;
  return { line, tail: { seq: entry.seq, hash: sha256(line) }, receipt: { seq: entry.seq, hash } };
}

/** A line's seq, when it is a ledger line. */
export const parseSeq = (line: string): number | undefined => {
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return Number.isSafeInteger(seq) ? (seq as number) : undefined;
  } catch {
    return undefined;
  }
};

/** Every entry of a ledger file's text, parsed; lines that do not parse are skipped (verifying reports them). */
export function parseEntries(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* reported by verifyChain */
    }
  }
  return out;
}

export interface Verification {
  ok: boolean;
  lines: number;
  /** Lines written before the ledger was keyed (a `hash`, no `mac`); they can only open the chain. */
  legacy: number;
  /** Where the chain first breaks, and how. */
  error?: { file: string; line: number; reason: string };
}

/** A chain being checked, line by line. */
interface Walk {
  prev: string | undefined;
  seq: number;
  count: number;
  legacy: number;
  anchored: boolean;
}

/**
 * Checks a whole chain, file by file in chain order, with the ledger key; reports the
 * first broken line. With the state directory's anchor, also that no line past it is
 * missing (`last` names the file to blame when the chain ends short of it).
 */
export function verifyChain(
  files: Iterable<{ file: string; text: string }>,
  key: Buffer,
  anchor: Anchor | undefined,
  last: string,
): Verification {
  const walk: Walk = { prev: undefined, seq: 0, count: 0, legacy: 0, anchored: false };
  let where = last;
  for (const { file, text } of files) {
    where = file;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const reason = checkLine(walk, lines[i]!, key);
      if (reason) return { ok: false, lines: walk.count, legacy: walk.legacy, error: { file, line: i + 1, reason } };
      if (anchor && walk.seq === anchor.seq) walk.anchored = sha256(lines[i]!) === anchor.hash;
    }
  }
  if (anchor && !walk.anchored) {
    const reason =
      anchor.seq > walk.seq
        ? `the ledger ends at seq ${walk.seq}, but the state directory's anchor says it reached seq ${anchor.seq}: lines or whole files were removed`
        : `the line at seq ${anchor.seq} is not the one the state directory's anchor recorded: the ledger was replaced`;
    return { ok: false, lines: walk.count, legacy: walk.legacy, error: { file: where, line: walk.count, reason } };
  }
  return { ok: true, lines: walk.count, legacy: walk.legacy };
}

/** Why one line breaks the chain, or undefined when it holds (the walk then moves past it). */
function checkLine(walk: Walk, line: string, key: Buffer): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return 'not valid JSON (torn or edited)';
  }
  if (typeof entry.mac === 'string') {
    const { mac: m, ...unsigned } = entry;
    if (!equalHex(m, mac(key, JSON.stringify(unsigned))))
      return 'its MAC does not match its content under the ledger key: the line was edited, or written with another key';
  } else if (walk.count === walk.legacy && typeof entry.hash === 'string') {
    const { hash, ...unsigned } = entry;
    if (hash !== sha256(JSON.stringify(unsigned))) return 'its hash does not match its content: the line was edited';
    walk.legacy++;
  } else {
    return 'it carries no MAC: lines after the first keyed one must all be keyed';
  }
  if (entry.prev_hash !== (walk.prev === undefined ? GENESIS : sha256(walk.prev)))
    return 'its prev_hash does not match the line before it: a line before it was removed, added or edited';
  if (entry.seq !== walk.seq + 1)
    return `seq is ${String(entry.seq)}, expected ${walk.seq + 1}: a line was removed or added`;
  walk.prev = line;
  walk.seq++;
  walk.count++;
  return undefined;
}

function equalHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
