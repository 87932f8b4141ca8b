import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { sha256 } from '../receipts/chain.js';
import { LEDGER } from './layout.js';
import { Ledger, loadLedgerKey, readAnchor, verifyLedger } from './ledger-file.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-ledger-'));
const KEY = Buffer.alloc(32, 7);
const lines = (dir: string) => fs.readFileSync(path.join(dir, LEDGER), 'utf8').trim().split('\n');
const write = (dir: string, ls: string[]) => fs.writeFileSync(path.join(dir, LEDGER), ls.join('\n') + '\n');

/** The chain must break exactly at `line`, for the reason given. */
function assertBreaksAt(dir: string, line: number, reason: RegExp): void {
  const v = verifyLedger(dir, KEY);
  assert.equal(v.ok, false);
  assert.equal(v.error!.line, line);
  assert.match(v.error!.reason, reason);
}

function filled(n: number): string {
  const dir = tmp();
  const ledger = new Ledger(dir, KEY);
  for (let i = 0; i < n; i++) ledger.append({ kind: 'tier_run', cycle: `run-${i}`, tier: 1 });
  return dir;
}

describe('receipt ledger', () => {
  it('chains every line to the one before it, and verifies', () => {
    const dir = filled(5);
    const ls = lines(dir).map((l) => JSON.parse(l));
    assert.deepEqual(
      ls.map((l) => l.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(ls[0].prev_hash, '0'.repeat(64));
    assert.deepEqual(verifyLedger(dir, KEY), { ok: true, lines: 5, legacy: 0 });
  });

  it('continues the chain across restarts (a new Ledger reads the tail)', () => {
    const dir = filled(2);
    new Ledger(dir, KEY).append({ kind: 'notification' });
    assert.equal(JSON.parse(lines(dir)[2]!).seq, 3);
    assert.equal(verifyLedger(dir, KEY).ok, true);
  });

  it('fails at an edited middle line', () => {
    const dir = filled(5);
    const ls = lines(dir);
    ls[2] = ls[2]!.replace('"tier":1', '"tier":2');
    write(dir, ls);
    assertBreaksAt(dir, 3, /MAC does not match its content/);
  });

  it('fails at the line after a deleted middle line', () => {
    const dir = filled(5);
    const ls = lines(dir);
    ls.splice(2, 1);
    write(dir, ls);
    assertBreaksAt(dir, 3, /prev_hash does not match/);
  });

  it('redacts secrets before hashing', () => {
    const dir = tmp();
    new Ledger(dir, KEY).append({ summary: 'token s3cret leaked' }, (t) => t.replaceAll('s3cret', '[REDACTED]'));
    assert.ok(!fs.readFileSync(path.join(dir, LEDGER), 'utf8').includes('s3cret'));
    assert.equal(verifyLedger(dir, KEY).ok, true);
  });

  it('rotates into numbered files whose chain continues', () => {
    const dir = tmp();
    const ledger = new Ledger(dir, KEY, { rotateBytes: 600 });
    for (let i = 0; i < 12; i++) ledger.append({ kind: 'tier_run', i });
    const rotated = fs.readdirSync(dir).filter((n) => /^receipts\.\d{6}\.ndjson$/.test(n));
    assert.ok(rotated.length >= 2, String(fs.readdirSync(dir)));
    assert.deepEqual(verifyLedger(dir, KEY), { ok: true, lines: 12, legacy: 0 });
    fs.rmSync(path.join(dir, rotated[0]!));
    assert.equal(verifyLedger(dir, KEY).ok, false, 'removing a rotated file breaks the chain');
  });

  it('cannot be forged without the key: a rewritten line with recomputed links fails', () => {
    const dir = filled(3);
    const ls = lines(dir).map((l) => JSON.parse(l));
    // What an attacker who can write the file but not read the key can do: edit line 1,
    // recompute every prev_hash, and sign with a key of their own.
    ls[0].summary = 'nothing happened';
    const forged: string[] = [];
    for (const e of ls) {
      delete e.mac;
      e.prev_hash = forged.length ? sha256(forged[forged.length - 1]!) : '0'.repeat(64);
      const unsigned = JSON.stringify(e);
      forged.push(`${unsigned.slice(0, -1)},"mac":"${'ab'.repeat(32)}"}`);
    }
    write(dir, forged);
    assertBreaksAt(dir, 1, /MAC does not match/);
  });

  it('accepts lines from before the ledger was keyed only as the start of the chain', () => {
    const dir = tmp();
    const legacy = (seq: number, prev: string) => {
      const unsigned = JSON.stringify({ seq, at: 'x', kind: 'old', prev_hash: prev });
      return `${unsigned.slice(0, -1)},"hash":"${sha256(unsigned)}"}`;
    };
    const first = legacy(1, '0'.repeat(64));
    write(dir, [first, legacy(2, sha256(first))]);
    new Ledger(dir, KEY).append({ kind: 'new' });
    assert.deepEqual(verifyLedger(dir, KEY), { ok: true, lines: 3, legacy: 2 });
    const ls = lines(dir);
    write(dir, [...ls, legacy(4, sha256(ls[2]!))]);
    assert.match(verifyLedger(dir, KEY).error!.reason, /carries no MAC/);
  });

  it('makes its key once, private to the daemon, and reads the same key afterwards', () => {
    const state = tmp();
    const k1 = loadLedgerKey(state);
    const k2 = loadLedgerKey(state);
    assert.equal(k1.length, 32);
    assert.ok(k1.equals(k2));
    assert.equal(fs.statSync(path.join(state, 'ledger.key')).mode & 0o777, 0o600);
  });

  it('cuts off a torn last line, keeps it aside, records the repair, and the chain verifies', () => {
    const dir = filled(3);
    fs.appendFileSync(path.join(dir, LEDGER), '{"seq":4,"at":"2026-11-2');
    const ledger = new Ledger(dir, KEY);
    ledger.append({ kind: 'tier_run', cycle: 'after' });
    const ls = lines(dir).map((l) => JSON.parse(l));
    assert.deepEqual(
      ls.map((l) => [l.seq, l.kind]),
      [
        [1, 'tier_run'],
        [2, 'tier_run'],
        [3, 'tier_run'],
        [4, 'ledger_repair'],
        [5, 'tier_run'],
      ],
    );
    assert.equal(ls[3].dropped_bytes, 24);
    assert.equal(fs.readFileSync(path.join(dir, ls[3].kept_in), 'utf8'), '{"seq":4,"at":"2026-11-2');
    assert.deepEqual(verifyLedger(dir, KEY), { ok: true, lines: 5, legacy: 0 });
  });

  it('fences a whole line that is not a ledger line (seq null) instead of continuing from it', () => {
    const dir = filled(2);
    fs.appendFileSync(path.join(dir, LEDGER), '{"seq":null,"kind":"x"}\n');
    new Ledger(dir, KEY).append({ kind: 'tier_run' });
    assert.deepEqual(
      lines(dir).map((l) => JSON.parse(l).seq),
      [1, 2, 3, 4],
    );
    assert.equal(verifyLedger(dir, KEY).ok, true);
  });

  it('on a full disk writes whole lines or nothing, and goes on verifiably once there is room', (t) => {
    const dir = tmp();
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0)
      return t.skip('mounting a small tmpfs needs root (CI runs as root)');
    try {
      const ledger = new Ledger(dir, KEY);
      const filler = path.join(dir, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(60 * 1024 - 300));
      let failures = 0;
      for (let i = 0; i < 40; i++) {
        try {
          ledger.append({ kind: 'tier_run', cycle: `run-${i}`, detail: 'x'.repeat(200) });
        } catch (e) {
          assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
          failures++;
        }
      }
      assert.ok(failures > 0, 'the disk filled up');
      assert.ok(fs.readFileSync(path.join(dir, LEDGER), 'utf8').endsWith('\n'), 'no torn line was left');
      assert.equal(verifyLedger(dir, KEY).ok, true);
      fs.rmSync(filler);
      const after = new Ledger(dir, KEY);
      after.append({ kind: 'tier_run', cycle: 'after' });
      const v = verifyLedger(dir, KEY);
      assert.equal(v.ok, true, JSON.stringify(v.error));
      assert.ok(lines(dir).every((l) => Number.isSafeInteger(JSON.parse(l).seq)));
    } finally {
      spawnSync('umount', [dir]);
    }
  });

  it('keeps its anchor in the state directory: a lost results directory does not verify as a fresh chain', () => {
    const results = tmp();
    const state = tmp();
    const ledger = new Ledger(results, KEY, { stateDir: state });
    for (let i = 0; i < 3; i++) ledger.append({ kind: 'tier_run', cycle: `run-${i}` });
    assert.equal(readAnchor(state)?.seq, 3);
    assert.deepEqual(verifyLedger(results, KEY, readAnchor(state)), { ok: true, lines: 3, legacy: 0 });
    fs.rmSync(results, { recursive: true });
    const v0 = verifyLedger(results, KEY, readAnchor(state));
    assert.equal(v0.ok, false);
    assert.match(v0.error!.reason, /the ledger ends at seq 0, but the state directory's anchor says it reached seq 3/);
    new Ledger(results, KEY, { stateDir: state }).append({ kind: 'tier_run', cycle: 'later' });
    assert.equal(JSON.parse(lines(results)[0]!).seq, 4, 'the chain goes on from the anchor');
    assert.equal(verifyLedger(results, KEY, readAnchor(state)).ok, false);
  });
});
