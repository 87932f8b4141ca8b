import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const LEDGER = 'receipts.ndjson';
/** Past this size the ledger is rotated into receipts.<n>.ndjson and a new file continues the chain. */
export const ROTATE_BYTES = 64 * 1024 * 1024;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The key of the ledger's MACs, in the state directory; the agent's sandbox may not read it. */
export const LEDGER_KEY = 'ledger.key';

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');

/** Reads the ledger key, making one (32 random bytes, mode 0600) the first time. */
export function loadLedgerKey(stateDir: string): Buffer {
  const file = path.join(stateDir, LEDGER_KEY);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(stateDir, { recursive: true });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    // Another process made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file);
    throw e;
  }
}

/** The anchor of the very first line. */
export const GENESIS = '0'.repeat(64);

interface Tail {
  seq: number;
  lastLine: string | undefined;
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

  constructor(
    private readonly dir: string,
    private readonly key: Buffer,
    private readonly redact: (text: string) => string = (t) => t,
    private readonly rotateBytes = ROTATE_BYTES,
  ) {}

  append(record: Record<string, unknown>): { seq: number; hash: string } {
    const file = path.join(this.dir, LEDGER);
    fs.mkdirSync(this.dir, { recursive: true });
    this.rotateIfLarge(file);
    const tail = (this.tail ??= readTail(this.dir));
    const body = JSON.parse(this.redact(JSON.stringify(record))) as Record<string, unknown>;
    const entry = { seq: tail.seq + 1, at: new Date().toISOString(), ...body, prev_hash: tail.lastLine === undefined ? GENESIS : sha256(tail.lastLine) };
    const unsigned = JSON.stringify(entry);
    const hash = mac(this.key, unsigned);
    const line = `${unsigned.slice(0, -1)},"mac":"${hash}"}`;
    const fd = fs.openSync(file, 'a', 0o640);
    try {
      fs.writeSync(fd, line + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.tail = { seq: entry.seq, lastLine: line };
    return { seq: entry.seq, hash };
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
export const chainFiles = (dir: string): string[] => [...rotatedFiles(dir), LEDGER].map((n) => path.join(dir, n)).filter((f) => fs.existsSync(f));

function readTail(dir: string): Tail {
  const files = chainFiles(dir);
  for (const file of files.reverse()) {
    const last = lastLine(file);
    if (last === undefined) continue;
    try {
      return { seq: (JSON.parse(last) as { seq: number }).seq, lastLine: last };
    } catch {
      // A torn last line (a crash mid-write) would break every later check; the
      // chain continues from it as written, and verify-receipts reports it.
      return { seq: Number.NaN, lastLine: last };
    }
  }
  return { seq: 0, lastLine: undefined };
}

function lastLine(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return undefined;
    const chunk = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(chunk);
    fs.readSync(fd, buf, 0, chunk, size - chunk);
    const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
    return lines[lines.length - 1];
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

/** Checks the whole chain across rotated files with the ledger key; reports the first broken line. */
export function verifyLedger(dir: string, key: Buffer): Verification {
  let prev: string | undefined;
  let seq = 0;
  let count = 0;
  let legacy = 0;
  for (const file of chainFiles(dir)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const fail = (reason: string): Verification => ({ ok: false, lines: count, legacy, error: { file, line: i + 1, reason } });
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return fail('not valid JSON (torn or edited)');
      }
      if (typeof entry.mac === 'string') {
        const { mac: m, ...unsigned } = entry;
        if (!equalHex(m as string, mac(key, JSON.stringify(unsigned)))) return fail('its MAC does not match its content under the ledger key: the line was edited, or written with another key');
      } else if (count === legacy && typeof entry.hash === 'string') {
        const { hash, ...unsigned } = entry;
        if (hash !== sha256(JSON.stringify(unsigned))) return fail('its hash does not match its content: the line was edited');
        legacy++;
      } else {
        return fail('it carries no MAC: lines after the first keyed one must all be keyed');
      }
      if (entry.prev_hash !== (prev === undefined ? GENESIS : sha256(prev))) return fail('its prev_hash does not match the line before it: a line before it was removed, added or edited');
      if (entry.seq !== seq + 1) return fail(`seq is ${String(entry.seq)}, expected ${seq + 1}: a line was removed or added`);
      prev = line;
      seq++;
      count++;
    }
  }
  return { ok: true, lines: count, legacy };
}

function equalHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
