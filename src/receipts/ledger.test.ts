import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LEDGER, Ledger, verifyLedger } from './ledger.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-ledger-'));
const lines = (dir: string) => fs.readFileSync(path.join(dir, LEDGER), 'utf8').trim().split('\n');
const write = (dir: string, ls: string[]) => fs.writeFileSync(path.join(dir, LEDGER), ls.join('\n') + '\n');

function filled(n: number): string {
  const dir = tmp();
  const ledger = new Ledger(dir);
  for (let i = 0; i < n; i++) ledger.append({ kind: 'tier_run', cycle: `run-${i}`, tier: 1 });
  return dir;
}

describe('receipt ledger', () => {
  it('chains every line to the one before it, and verifies', () => {
    const dir = filled(5);
    const ls = lines(dir).map((l) => JSON.parse(l));
    assert.deepEqual(ls.map((l) => l.seq), [1, 2, 3, 4, 5]);
    assert.equal(ls[0].prev_hash, '0'.repeat(64));
    assert.deepEqual(verifyLedger(dir), { ok: true, lines: 5 });
  });

  it('continues the chain across restarts (a new Ledger reads the tail)', () => {
    const dir = filled(2);
    new Ledger(dir).append({ kind: 'notification' });
    assert.equal(JSON.parse(lines(dir)[2]!).seq, 3);
    assert.equal(verifyLedger(dir).ok, true);
  });

  it('fails at an edited middle line', () => {
    const dir = filled(5);
    const ls = lines(dir);
    ls[2] = ls[2]!.replace('"tier":1', '"tier":2');
    write(dir, ls);
    const v = verifyLedger(dir);
    assert.equal(v.ok, false);
    assert.equal(v.error!.line, 3);
    assert.match(v.error!.reason, /hash does not match its content/);
  });

  it('fails at the line after a deleted middle line', () => {
    const dir = filled(5);
    const ls = lines(dir);
    ls.splice(2, 1);
    write(dir, ls);
    const v = verifyLedger(dir);
    assert.equal(v.ok, false);
    assert.equal(v.error!.line, 3);
    assert.match(v.error!.reason, /prev_hash does not match/);
  });

  it('redacts secrets before hashing', () => {
    const dir = tmp();
    new Ledger(dir, (t) => t.replaceAll('s3cret', '[REDACTED]')).append({ summary: 'token s3cret leaked' });
    assert.ok(!fs.readFileSync(path.join(dir, LEDGER), 'utf8').includes('s3cret'));
    assert.equal(verifyLedger(dir).ok, true);
  });

  it('rotates into numbered files whose chain continues', () => {
    const dir = tmp();
    const ledger = new Ledger(dir, undefined, 600);
    for (let i = 0; i < 12; i++) ledger.append({ kind: 'tier_run', i });
    const rotated = fs.readdirSync(dir).filter((n) => /^receipts\.\d{6}\.ndjson$/.test(n));
    assert.ok(rotated.length >= 2, String(fs.readdirSync(dir)));
    assert.deepEqual(verifyLedger(dir), { ok: true, lines: 12 });
    fs.rmSync(path.join(dir, rotated[0]!));
    assert.equal(verifyLedger(dir).ok, false, 'removing a rotated file breaks the chain');
  });
});
