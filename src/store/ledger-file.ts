import fs from 'node:fs';
import path from 'node:path';
import {
  GENESIS,
  parseEntries,
  parseSeq,
  sha256,
  signReceipt,
  verifyChain,
  type Anchor,
  type Receipt,
  type Tail,
  type Verification,
} from '../receipts/chain.js';
import { loadKeyFile } from './key-file.js';
import { isRotatedLedger, LEDGER, rotatedLedgerName, STATE, temporaryName, tornLedgerName } from './layout.js';

/** Past this size the ledger is rotated into receipts.<n>.ndjson and a new file continues the chain. */
export const ROTATE_BYTES = 64 * 1024 * 1024;

/** Reads the ledger key, making one (32 random bytes, mode 0600) the first time. */
export const loadLedgerKey = (stateDir: string): Buffer => loadKeyFile(path.join(stateDir, STATE.ledgerKey));

export function readAnchor(stateDir: string): Anchor | undefined {
  try {
    const a = JSON.parse(fs.readFileSync(path.join(stateDir, STATE.ledgerAnchor), 'utf8')) as Anchor;
    return Number.isSafeInteger(a.seq) && typeof a.hash === 'string' ? a : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The append-only receipt ledger on disk: one NDJSON line per receipt, signed and
 * chained (receipts/chain.ts). Whoever can rewrite the file but not read the key cannot
 * make a ledger that verifies. One write and an fsync per line; lines are never
 * rewritten. Rotation moves the file aside whole and continues the chain. The file
 * store holds the one instance that writes a results directory's ledger.
 */
export class Ledger {
  private tail: Tail | undefined;

  /** `stateDir` holds the anchor; without one the chain rests on the results directory alone. */
  constructor(
    private readonly dir: string,
    private readonly key: Buffer,
    private readonly options: { stateDir?: string; rotateBytes?: number } = {},
  ) {}

  append(record: Record<string, unknown>, redact: (text: string) => string = (t) => t): Receipt {
    const file = path.join(this.dir, LEDGER);
    fs.mkdirSync(this.dir, { recursive: true });
    this.rotateIfLarge(file);
    if (!this.tail) this.tail = this.openTail(file);
    return this.write(file, record, redact);
  }

  private write(file: string, record: Record<string, unknown>, redact: (text: string) => string): Receipt {
    const signed = signReceipt(this.key, this.tail!, record, redact, new Date());
    appendWhole(file, `${signed.line}\n`);
    this.tail = signed.tail;
    if (this.options.stateDir) writeAnchor(this.options.stateDir, this.tail);
    return signed.receipt;
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
      const aside = path.join(this.dir, tornLedgerName(new Date()));
      fs.writeFileSync(aside, found.torn.bytes);
      fs.truncateSync(found.torn.file, found.torn.offset);
      this.tail = found.tail;
      this.write(
        file,
        {
          kind: 'ledger_repair',
          dropped_bytes: found.torn.bytes.length,
          kept_in: path.basename(aside),
          reason: 'the last line was torn (a crash or a full disk mid-write); it was cut off and kept aside',
        },
        (t) => t,
      );
      return this.tail;
    }
    if (found.tail.seq === 0 && this.options.stateDir) {
      const anchor = readAnchor(this.options.stateDir);
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
    if (size < (this.options.rotateBytes ?? ROTATE_BYTES)) return;
    fs.renameSync(file, path.join(this.dir, rotatedLedgerName(rotatedFiles(this.dir).length + 1)));
  }
}

/** Rotated ledger files, oldest first. */
export function rotatedFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter(isRotatedLedger).sort();
  } catch {
    return [];
  }
}

/** Every ledger file in chain order: the rotated ones, then the current one. */
export const chainFiles = (dir: string): string[] =>
  [...rotatedFiles(dir), LEDGER].map((n) => path.join(dir, n)).filter((f) => fs.existsSync(f));

/** The chain's files with their text, one at a time. */
function* chainTexts(dir: string): Generator<{ file: string; text: string }> {
  for (const file of chainFiles(dir)) yield { file, text: fs.readFileSync(file, 'utf8') };
}

/**
 * Checks the whole chain across rotated files with the ledger key; reports the first
 * broken line. With the state directory's anchor, also that no line past it is missing.
 */
export const verifyLedger = (dir: string, key: Buffer, anchor?: Anchor): Verification =>
  verifyChain(chainTexts(dir), key, anchor, path.join(dir, LEDGER));

/** Every entry of the chain, parsed, in order; lines that do not parse are skipped (verifyLedger reports them). */
export const ledgerEntries = (dir: string): Record<string, unknown>[] =>
  chainFiles(dir).flatMap((file) => parseEntries(fs.readFileSync(file, 'utf8')));

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
  const tmp = temporaryName(file, String(process.pid));
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
    if (seq === undefined) return fenced(file, lines);
    return { tail: { seq, hash: sha256(last) } };
  }
  return { tail: { seq: 0, hash: GENESIS } };
}

/** A whole last line that is not a ledger line: fenced like a torn one, the chain going on from the line before. */
function fenced(file: string, lines: string[]): FoundTail {
  const last = lines.at(-1)!;
  return {
    tail:
      lines.length > 1 ? { seq: parseSeq(lines.at(-2)!) ?? 0, hash: sha256(lines.at(-2)!) } : { seq: 0, hash: GENESIS },
    torn: {
      file,
      offset: fs.statSync(file).size - Buffer.byteLength(`${last}\n`),
      bytes: Buffer.from(`${last}\n`),
    },
  };
}

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
