import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LEDGER, STATE } from '../store/layout.js';
import { loadKeyFile } from '../store/key-file.js';

export { LEDGER };
/** Past this size the ledger is rotated into receipts.<n>.ndjson and a new file continues the chain. */
export const ROTATE_BYTES = 64 * 1024 * 1024;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The key of the ledger's MACs, in the state directory; the agent's sandbox may not read it. */
export const LEDGER_KEY = STATE.ledgerKey;

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');

/** Reads the ledger key, making one (32 random bytes, mode 0600) the first time. */
export const loadLedgerKey = (stateDir: string): Buffer => loadKeyFile(path.join(stateDir, LEDGER_KEY));

/** The anchor of the very first line. */
export const GENESIS = '0'.repeat(64);

interface Tail {
  seq: number;
  /** SHA-256 of the last line (GENESIS before the first). */
  hash: string;
}

export interface Anchor {
  seq: number;
  hash: string;
}

export function readAnchor(stateDir: string): Anchor | undefined {
  try {
    const a = JSON.parse(fs.readFileSync(path.join(stateDir, STATE.ledgerAnchor), 'utf8')) as Anchor;
    return Number.isSafeInteger(a.seq) && typeof a.hash === 'string' ? a : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The append-only receipt ledger: one NDJSON line per tier run and per notification,
 * each with `seq`, `prev_hash` (SHA-256 of the previous line's bytes) and `mac`
 * (HMAC-SHA256 of the line without its mac, keyed with the state directory's
 * ledger key). Whoever can rewrite the file but not read the key cannot make a
 * ledger that verifies. One write and an fsync per line; lines are never
 * rewritten. Rotation moves the file aside whole and continues the chain.
 */
export class Ledger {
  private tail: Tail | undefined;

  /** `stateDir` holds the anchor; without one the chain rests on the results directory alone. */
  constructor(
    private readonly dir: string,
    private readonly key: Buffer,
    private readonly redact: (text: string) => string = (t) => t,
    private readonly rotateBytes = ROTATE_BYTES,
    private readonly stateDir?: string,
  ) {}

  append(record: Record<string, unknown>): { seq: number; hash: string } {
    const file = path.join(this.dir, LEDGER);
    fs.mkdirSync(this.dir, { recursive: true });
    this.rotateIfLarge(file);
    if (!this.tail) this.tail = this.openTail(file);
    const body = JSON.parse(this.redact(JSON.stringify(record))) as Record<string, unknown>;
    return this.write(file, body);
  }

  private write(file: string, body: Record<string, unknown>): { seq: number; hash: string } {
    const tail = this.tail!;
    const entry = { seq: tail.seq + 1, at: new Date().toISOString(), ...body, prev_hash: tail.hash };
    const unsigned = JSON.stringify(entry);
    const hash = mac(this.key, unsigned);
    const line = `${unsigned.slice(0, -1)},"mac":"${hash}"}`;
    appendWhole(file, `${line}\n`);
    this.tail = { seq: entry.seq, hash: sha256(line) };
    if (this.stateDir) writeAnchor(this.stateDir, this.tail);
    return { seq: entry.seq, hash };
  }

  /**
   * The chain's tail at start. A torn last line (a crash or a full disk mid-write, from
   * before writes were whole) is cut off, kept beside the ledger, and a signed
   * `ledger_repair` line records it; the chain is never continued from a torn line.
   * With no ledger at all but an anchor in the state directory, the chain goes on from
   * the anchor, so a lost results directory does not verify as a fresh chain.
   */
  private openTail(file: string): Tail {
    const found = readTail(this.dir);
    if (found.torn) {
      const aside = `${file}.torn-${new Date().toISOString().replace(/[:.]/g, '')}`;
      fs.writeFileSync(aside, found.torn.bytes);
      fs.truncateSync(found.torn.file, found.torn.offset);
      this.tail = found.tail;
      this.write(file, {
        kind: 'ledger_repair',
        dropped_bytes: found.torn.bytes.length,
        kept_in: path.basename(aside),
        reason: 'the last line was torn (a crash or a full disk mid-write); it was cut off and kept aside',
      });
      return this.tail;
    }
    if (found.tail.seq === 0 && this.stateDir) {
      const anchor = readAnchor(this.stateDir);
      if (anchor) return { seq: anchor.seq, hash: anchor.hash };
    }
    return found.tail;
  }

  private rotateIfLarge(file: string): void {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    if (size < this.rotateBytes) return;
    const n = rotatedFiles(this.dir).length + 1;
    fs.renameSync(file, path.join(this.dir, `receipts.${String(n).padStart(6, '0')}.ndjson`));
  }
}

/** Rotated ledger files, oldest first. */
export function rotatedFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => /^receipts\.\d{6}\.ndjson$/.test(n))
      .sort();
  } catch {
    return [];
  }
}

/** Every ledger file in chain order: the rotated ones, then the current one. */
export const chainFiles = (dir: string): string[] =>
  [...rotatedFiles(dir), LEDGER].map((n) => path.join(dir, n)).filter((f) => fs.existsSync(f));

/** Appends all of `text` or nothing: a short or failed write is cut back off before the error is thrown. */
function appendWhole(file: string, text: string): void {
  const fd = fs.openSync(file, 'a', 0o640);
  const start = fs.fstatSync(fd).size;
  try {
    const buf = Buffer.from(text);
    for (let done = 0; done < buf.length;) done += fs.writeSync(fd, buf, done, buf.length - done);
    fs.fsyncSync(fd);
  } catch (e) {
    try {
      fs.ftruncateSync(fd, start);
    } catch {
      /* the next start finds the torn line and repairs it */
    }
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

function writeAnchor(stateDir: string, tail: Tail): void {
  const file = path.join(stateDir, STATE.ledgerAnchor);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(tail) + '\n');
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

interface FoundTail {
  tail: Tail;
  torn?: { file: string; offset: number; bytes: Buffer };
}

function readTail(dir: string): FoundTail {
  for (const file of chainFiles(dir).reverse()) {
    const { lines, torn } = lastLines(file);
    const last = lines.at(-1);
    const seq = last === undefined ? undefined : parseSeq(last);
    if (torn)
      return {
        tail: last === undefined ? { seq: 0, hash: GENESIS } : { seq: seq ?? 0, hash: sha256(last) },
        torn: { file, ...torn },
      };
    if (last === undefined) continue;
    if (seq === undefined) {
      // A whole line that is not a ledger line: fence it like a torn one.
      return {
        tail:
          lines.length > 1
            ? { seq: parseSeq(lines.at(-2)!) ?? 0, hash: sha256(lines.at(-2)!) }
            : { seq: 0, hash: GENESIS },
        torn: {
          file,
          offset: fs.statSync(file).size - Buffer.byteLength(`${last}\n`),
          bytes: Buffer.from(`${last}\n`),
        },
      };
    }
    return { tail: { seq, hash: sha256(last) } };
  }
  return { tail: { seq: 0, hash: GENESIS } };
}

const parseSeq = (line: string): number | undefined => {
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return Number.isSafeInteger(seq) ? (seq as number) : undefined;
  } catch {
    return undefined;
  }
};

/** The complete lines at the end of a file, and an unterminated tail after them, if any. */
function lastLines(file: string): { lines: string[]; torn?: { offset: number; bytes: Buffer } } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { lines: [] };
    const chunk = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(chunk);
    fs.readSync(fd, buf, 0, chunk, size - chunk);
    const end = buf.lastIndexOf(0x0a);
    const torn =
      end === buf.length - 1
        ? undefined
        : { offset: size - (buf.length - end - 1), bytes: Buffer.from(buf.subarray(end + 1)) };
    const lines = buf
      .subarray(0, end + 1)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    return { lines: lines.slice(-2), torn };
  } finally {
    fs.closeSync(fd);
  }
}

export interface Verification {
  ok: boolean;
  lines: number;
  /** Lines written before the ledger was keyed (a `hash`, no `mac`); they can only open the chain. */
  legacy: number;
  /** Where the chain first breaks, and how. */
  error?: { file: string; line: number; reason: string };
}

/**
 * Checks the whole chain across rotated files with the ledger key; reports the first
 * broken line. With the state directory's anchor, also that no line past it is missing.
 */
export function verifyLedger(dir: string, key: Buffer, anchor?: Anchor): Verification {
  let prev: string | undefined;
  let seq = 0;
  let count = 0;
  let legacy = 0;
  let anchored = false;
  for (const file of chainFiles(dir)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const fail = (reason: string): Verification => ({
        ok: false,
        lines: count,
        legacy,
        error: { file, line: i + 1, reason },
      });
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return fail('not valid JSON (torn or edited)');
      }
      if (typeof entry.mac === 'string') {
        const { mac: m, ...unsigned } = entry;
        if (!equalHex(m, mac(key, JSON.stringify(unsigned))))
          return fail(
            'its MAC does not match its content under the ledger key: the line was edited, or written with another key',
          );
      } else if (count === legacy && typeof entry.hash === 'string') {
        const { hash, ...unsigned } = entry;
        if (hash !== sha256(JSON.stringify(unsigned)))
          return fail('its hash does not match its content: the line was edited');
        legacy++;
      } else {
        return fail('it carries no MAC: lines after the first keyed one must all be keyed');
      }
      if (entry.prev_hash !== (prev === undefined ? GENESIS : sha256(prev)))
        return fail('its prev_hash does not match the line before it: a line before it was removed, added or edited');
      if (entry.seq !== seq + 1)
        return fail(`seq is ${String(entry.seq)}, expected ${seq + 1}: a line was removed or added`);
      prev = line;
      seq++;
      count++;
      if (anchor && seq === anchor.seq) anchored = sha256(line) === anchor.hash;
    }
  }
  if (anchor && !anchored) {
    const where = chainFiles(dir).at(-1) ?? path.join(dir, LEDGER);
    const reason =
      anchor.seq > seq
        ? `the ledger ends at seq ${seq}, but the state directory's anchor says it reached seq ${anchor.seq}: lines or whole files were removed`
        : `the line at seq ${anchor.seq} is not the one the state directory's anchor recorded: the ledger was replaced`;
    return { ok: false, lines: count, legacy, error: { file: where, line: count, reason } };
  }
  return { ok: true, lines: count, legacy };
}

function equalHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Every entry of the chain, parsed, in order; lines that do not parse are skipped (verifyLedger reports them). */
export function ledgerEntries(dir: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of chainFiles(dir)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* reported by verifyLedger */
      }
    }
  }
  return out;
}
