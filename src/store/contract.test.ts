import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GENESIS, verifyChain } from '../receipts/chain.js';
import { FileStore } from './file-store.js';
import {
  approvalLogName,
  LEDGER,
  runFileName,
  runLogName,
  shardRunBase,
  STATE,
  summaryName,
  tierRunBase,
} from './layout.js';
import { MemoryStore } from './memory-store.js';
import {
  emptyApprovals,
  emptyCheckState,
  emptyCooldown,
  emptyHolds,
  emptyNotifyState,
  type Proposal,
  type StoredSummary,
} from './records.js';
import type { Store } from './store.js';

// One contract, two stores: whatever the daemon's logic sees of the file store, the
// memory store shows the same way.

interface Harness {
  store: Store;
  /** A tier run's file, as a run leaves it. */
  putRunFile(id: string, tier: number, kind: 'log' | 'jsonl', text: string, shard?: number): void;
}

const implementations: [string, () => Harness][] = [
  [
    'FileStore',
    () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-contract-'));
      const results = path.join(root, 'results');
      const state = path.join(root, 'state');
      fs.mkdirSync(results);
      fs.mkdirSync(state);
      return {
        store: new FileStore(results, state),
        putRunFile: (id, tier, kind, text, shard) =>
          fs.writeFileSync(
            path.join(
              results,
              runFileName(shard === undefined ? tierRunBase(id, tier) : shardRunBase(id, tier, shard), kind),
            ),
            text,
          ),
      };
    },
  ],
  [
    'MemoryStore',
    () => {
      const store = new MemoryStore();
      return { store, putRunFile: (...a) => store.putRunFile(...a) };
    },
  ],
];

const summary = (id: string, startedAt: string, extra: Partial<StoredSummary> = {}): StoredSummary => ({
  id,
  startedAt,
  endedAt: startedAt,
  durationMs: 1000,
  trigger: 'schedule',
  dryRun: false,
  status: 'healthy',
  summary: `summary of ${id}`,
  costUsd: 0.5,
  tiers: [{ tier: 1, model: 'haiku', exitClass: 'ok', costUsd: 0.5, durationMs: 900 }],
  warnings: [],
  ...extra,
});

const proposal = (id: string, createdAt: string): Proposal => ({
  id,
  cycle: 'run-20260101-000000',
  tier: 2,
  service: 'web',
  action: 'restart',
  commands: ['docker restart web'],
  why: 'down',
  expected: 'up',
  rollback: 'none',
  hash: 'h',
  createdAt,
  expiresAt: createdAt,
  state: 'pending',
});

/** Without the stores' prototype-free objects, to compare with literals. */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const restart = (at: string) => ({ at, action: 'restart' as const, outcome: 'succeeded' as const, tier: 2 });

for (const [name, make] of implementations) {
  describe(`the store contract: ${name}`, () => {
    it('starts empty, with no warnings', async () => {
      const { store } = make();
      assert.deepEqual(await store.loadCheckState(), { state: emptyCheckState() });
      assert.deepEqual(await store.loadCooldown(), { state: emptyCooldown() });
      assert.deepEqual(await store.loadNotifyState(), { state: emptyNotifyState() });
      assert.deepEqual(await store.loadApprovals(), { state: emptyApprovals() });
      assert.deepEqual(await store.loadHolds(), { state: emptyHolds() });
      assert.deepEqual(await store.loadSpend(new Date('2026-03-01T10:00:00Z')), { day: '2026-03-01', usd: 0 });
      assert.deepEqual(await store.cycles({ limit: 10 }), { rows: [], total: 0 });
      assert.deepEqual(await store.proposals(), []);
      assert.equal(await store.stateUnwritable(), undefined);
    });

    it('gives back what was saved, as a copy without prototypes, keys like __proto__ included', async () => {
      const { store } = make();
      const checks = emptyCheckState();
      Object.defineProperty(checks.checks, '__proto__', {
        value: {
          title: 'odd',
          services: ['x'],
          status: 'healthy',
          since: 's',
          failures: 0,
          successes: 1,
          last: [],
          hours: [],
        },
        enumerable: true,
      });
      await store.saveCheckState(checks);
      const back = (await store.loadCheckState()).state;
      assert.equal(Object.getPrototypeOf(back.checks), null);
      assert.equal(Object.keys(back.checks)[0], '__proto__');
      assert.notEqual(back, checks);

      const notify = { ...emptyNotifyState(), failedCycles: 3, budgetNoticeDay: '2026-03-01' };
      await store.saveNotifyState(notify);
      assert.deepEqual(plain((await store.loadNotifyState()).state), plain(notify));

      const approvals = emptyApprovals();
      approvals.proposals['p-1'] = proposal('p-1', '2026-03-01T00:00:00Z');
      approvals.proposals['p-2'] = proposal('p-2', '2026-03-02T00:00:00Z');
      await store.saveApprovals(approvals);
      assert.deepEqual(Object.keys((await store.loadApprovals()).state.proposals), ['p-1', 'p-2']);
      assert.deepEqual(
        (await store.proposals()).map((p) => p.id),
        ['p-2', 'p-1'],
        'newest first',
      );

      const holds = emptyHolds();
      holds.silences.web = { until: '2026-03-01T04:00:00Z', at: '2026-03-01T00:00:00Z', by: 'me' };
      await store.saveHolds(holds);
      assert.equal((await store.holds()).silences.web!.by, 'me');
      assert.equal((await store.checks()).checks['__proto__']!.title, 'odd');
    });

    it('writes the cooldown only by folding into the current state, one update at a time', async () => {
      const { store } = make();
      const at = new Date().toISOString();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.updateCooldown((current) => {
            const next = structuredClone(current);
            (next.services[`s${i}`] ??= { actions: [], consecutiveHealthy: 0 }).actions.push(restart(at));
            return next;
          }),
        ),
      );
      const saved = await store.updateCooldown((current) => ({ ...current, lastRun: at }));
      assert.equal(Object.keys(saved.state.services).length, 10, 'no update lost another');
      assert.deepEqual(plain((await store.loadCooldown()).state), plain(saved.state));
      await assert.rejects(
        store.updateCooldown(() => {
          throw new Error('a fold that fails');
        }),
        /a fold that fails/,
      );
      assert.deepEqual(plain((await store.loadCooldown()).state), plain(saved.state), 'a failed fold saves nothing');
      assert.ok(await store.updateCooldown((c) => c), 'and does not stop the next update');
    });

    it('adds spend per UTC day, every concurrent addition counted', async () => {
      const { store } = make();
      const day = new Date('2026-03-01T10:00:00Z');
      await Promise.all([0.25, 0.5, 0.25].map((usd) => store.addSpend(usd, day)));
      assert.deepEqual(await store.loadSpend(day), { day: '2026-03-01', usd: 1 });
      const next = new Date('2026-03-02T00:00:01Z');
      assert.deepEqual(await store.loadSpend(next), { day: '2026-03-02', usd: 0 }, 'a new day starts at zero');
      assert.deepEqual(await store.addSpend(2, next), { day: '2026-03-02', usd: 2 });
    });

    it('files cycle summaries redacted, and lists, pages, filters and sums them', async () => {
      const { store } = make();
      const now = new Date('2026-03-03T12:00:00Z');
      const a = summary('run-20260301-100000', '2026-03-01T10:00:00.000Z', { warnings: ['s3cret was here'] });
      const b = summary('run-20260303-100000', '2026-03-03T10:00:00.000Z', { status: 'unhealthy', costUsd: 1 });
      const c = summary('run-20260303-100000-2', '2026-03-03T10:00:00.500Z', { status: 'skipped', costUsd: 0 });
      for (const s of [a, b, c]) await store.writeCycle(s, (t) => t.replaceAll('s3cret', '[REDACTED]'));
      assert.deepEqual((await store.cycle(a.id))!.warnings, ['[REDACTED] was here']);
      assert.equal(await store.cycle('run-19990101-000000'), undefined);
      assert.equal(await store.cycle('../state/cooldown'), undefined, 'only cycle ids are looked up');
      assert.deepEqual(await store.summaryNames(), [summaryName(c.id), summaryName(b.id), summaryName(a.id)]);
      const page = await store.cycles({ limit: 2, offset: 1 });
      assert.equal(page.total, 3);
      assert.deepEqual(
        page.rows.map((r) => r.id),
        [b.id, a.id],
      );
      const unhealthy = await store.cycles({ limit: 10, statuses: ['unhealthy'] });
      assert.deepEqual(plain(unhealthy.rows.map((r) => [r.id, r.costByModel])), [[b.id, { haiku: 0.5 }]]);
      assert.equal(unhealthy.total, 1);
      assert.deepEqual(
        (await store.since(6 * 3_600_000, now.getTime())).map((r) => r.id),
        [c.id, b.id],
      );
      const days = await store.spendByDay(3, now);
      assert.deepEqual(
        days.map((d) => [d.day, d.totalUsd]),
        [
          ['2026-03-01', 0.5],
          ['2026-03-02', 0],
          ['2026-03-03', 1],
        ],
      );
    });

    it('makes a new cycle id from the time, with a suffix when that second is taken', async () => {
      const { store } = make();
      const t = new Date('2026-03-03T10:00:00.123Z');
      assert.equal(store.newCycleId(t), 'run-20260303-100000');
      await store.writeCycle(summary('run-20260303-100000', t.toISOString()), (x) => x);
      assert.equal(store.newCycleId(t), 'run-20260303-100000-2');
    });

    it("reads a tier run's files only by the names the layout makes", async () => {
      const { store, putRunFile } = make();
      putRunFile('run-20260303-100000', 1, 'log', 'the story\n');
      putRunFile('run-20260303-100000', 1, 'jsonl', '{}\n', 2);
      assert.equal(await store.runFile('run-20260303-100000', 1, 'log'), 'the story\n');
      assert.equal(await store.runFile('run-20260303-100000', 1, 'jsonl', 2), '{}\n');
      assert.equal(await store.runFile('run-20260303-100000', 4, 'log'), undefined);
      assert.equal(await store.runFile('run-20260303-100000', 1, 'log', 0), undefined);
      assert.equal(await store.runFile('../x', 1, 'log'), undefined);
    });

    it('keeps one link key', () => {
      const { store } = make();
      const key = store.linkKey();
      assert.equal(key.length, 32);
      assert.deepEqual(store.linkKey(), key);
    });

    it('appends receipts redacted, numbered, chained and signed, and gives them back in order', () => {
      const { store } = make();
      const key = store.ledgerKey();
      assert.equal(key.length, 32);
      assert.deepEqual(store.ledgerKey(), key, 'one ledger key');
      assert.deepEqual(store.receipts(), []);
      const first = store.appendReceipt({ kind: 'tier_run', summary: 'token s3cret' }, (t) =>
        t.replaceAll('s3cret', '[REDACTED]'),
      );
      const second = store.appendReceipt({ kind: 'notification' }, (t) => t);
      assert.deepEqual([first.seq, second.seq], [1, 2]);
      const entries = store.receipts();
      assert.deepEqual(
        entries.map((e) => [e.seq, e.kind]),
        [
          [1, 'tier_run'],
          [2, 'notification'],
        ],
      );
      assert.equal(entries[0]!.summary, 'token [REDACTED]');
      assert.equal(entries[0]!.prev_hash, GENESIS);
      assert.equal(entries[1]!.mac, second.hash);
      const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
      assert.deepEqual(verifyChain([{ file: LEDGER, text }], key, undefined, LEDGER), {
        ok: true,
        lines: 2,
        legacy: 0,
      });
    });

    it("writes a tier run's files as the run goes, by the layout's names", async () => {
      const { store } = make();
      const id = 'run-20260303-100000';
      const files = store.openRunFiles({ id, tier: 1 }, (e) => assert.fail(String(e)));
      files.log('header\n');
      await files.events(Buffer.from('{"n":1}\n'));
      files.log('footer\n');
      await files.close();
      assert.equal(await store.runFile(id, 1, 'log'), 'header\nfooter\n');
      assert.equal(await store.runFile(id, 1, 'jsonl'), '{"n":1}\n');
      assert.equal(store.newCycleId(new Date('2026-03-03T10:00:00Z')), `${id}-2`, 'a run of that second takes its id');
      await store.openRunFiles({ id, tier: 1, shard: 2 }, () => undefined).close();
      assert.equal(await store.runFile(id, 1, 'log', 2), '', 'a shard has files of its own');
      await store.writeRunLog({ id, tier: 1 }, 'the index\n');
      assert.equal(await store.runFile(id, 1, 'log'), 'the index\n');
    });

    it("writes an approved proposal's story log as it runs, by the layout's name, and reads only such names", async () => {
      const { store } = make();
      const id = 'p-0a1b2c3d4e5f';
      const log = store.openApprovalLog(id);
      assert.equal(await store.approvalLog(id), '', 'there from the start');
      log.write('=== header\n');
      assert.equal(await store.approvalLog(id), '=== header\n', 'each line as it comes');
      log.write('--- end\n');
      log.close();
      assert.equal(await store.approvalLog(id), '=== header\n--- end\n');
      const again = store.openApprovalLog(id);
      again.write('more\n');
      again.close();
      assert.equal(await store.approvalLog(id), '=== header\n--- end\nmore\n', 'opened again, it is appended to');
      assert.equal(await store.approvalLog('p-ffffffffffff'), undefined);
      assert.equal(await store.approvalLog('../state/links'), undefined, 'only proposal ids are looked up');
      assert.throws(() => store.openApprovalLog('p-x/../../state/links'), /no proposal id the daemon makes/);
    });

    it('prunes what is past keeping, never the ledger, and nothing with 0 days', async () => {
      const { store } = make();
      const old = summary('run-20200101-000000', '2020-01-01T00:00:00Z');
      await store.writeCycle(old, (t) => t);
      await store.writeRunLog({ id: old.id, tier: 2 }, 'story\n');
      const approval = store.openApprovalLog('p-0a1b2c3d4e5f');
      approval.write('story\n');
      approval.close();
      store.appendReceipt({ kind: 'tier_run' }, (t) => t);
      const later = Date.now() + 40 * 86_400_000;
      assert.deepEqual(await store.pruneRuns(0, later), []);
      assert.deepEqual(await store.pruneRuns(30), [], 'nothing is 30 days old yet');
      assert.deepEqual(
        (await store.pruneRuns(30, later)).sort(),
        [summaryName(old.id), runLogName(tierRunBase(old.id, 2)), approvalLogName('p-0a1b2c3d4e5f')].sort(),
      );
      assert.equal(await store.cycle(old.id), undefined);
      assert.equal(store.receipts().length, 1);
    });

    it('saves the merged MCP config and says where', async () => {
      const { store } = make();
      const where = await store.saveMergedMcp('{"mcpServers":{}}\n');
      assert.equal(path.basename(where), STATE.mcpMerged);
    });

    it('locks and releases', () => {
      const { store } = make();
      const lock = store.lock('once');
      assert.ok(lock.ok);
      lock.release();
      const again = store.lock('once');
      assert.ok(again.ok, 'a released lock can be taken again');
      again.release();
    });
  });
}

describe('the file store keeps the files as they always were', () => {
  const dirs = () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-filestore-'));
    return { results: path.join(root, 'results'), state: path.join(root, 'state') };
  };

  it('names, formats and modes', async () => {
    const d = dirs();
    const store = new FileStore(d.results, d.state);
    await store.saveCheckState(emptyCheckState());
    await store.updateCooldown(() => emptyCooldown());
    await store.saveNotifyState(emptyNotifyState());
    await store.saveApprovals(emptyApprovals());
    await store.saveHolds(emptyHolds());
    await store.addSpend(0.5, new Date('2026-03-01T10:00:00Z'));
    const file = await store.writeCycle(summary('run-20260301-100000', '2026-03-01T10:00:00Z'), (t) => t);
    store.linkKey();
    const read = (name: string) => fs.readFileSync(path.join(d.state, name), 'utf8');
    const mode = (f: string) => fs.statSync(f).mode & 0o777;
    assert.equal(read(STATE.checks), '{"version":1,"checks":{}}\n');
    assert.equal(read(STATE.cooldown), '{\n  "version": 1,\n  "services": {}\n}\n');
    assert.equal(read(STATE.notify), JSON.stringify(emptyNotifyState(), null, 2) + '\n');
    assert.equal(read(STATE.spend), '{"day":"2026-03-01","usd":0.5}\n');
    for (const name of [STATE.approvals, STATE.holds, STATE.linkKey])
      assert.equal(mode(path.join(d.state, name)), 0o600, name);
    assert.equal(file, path.join(d.results, 'run-20260301-100000.json'));
    assert.equal(mode(file), 0o640);
    assert.match(fs.readFileSync(file, 'utf8'), /^\{\n {2}"id": "run-20260301-100000",/);
  });

  it('moves a corrupt state file aside with a warning; the views leave it in place and tell warn', async () => {
    const d = dirs();
    fs.mkdirSync(d.state, { recursive: true });
    fs.writeFileSync(path.join(d.state, STATE.approvals), '{"version":1,');
    const warnings: string[] = [];
    const store = new FileStore(d.results, d.state, (w) => warnings.push(w));
    assert.deepEqual(await store.proposals(), []);
    assert.match(warnings[0]!, /approvals\.json is corrupt \(not valid JSON/);
    assert.ok(fs.existsSync(path.join(d.state, STATE.approvals)), 'a view moves nothing');
    const loaded = await store.loadApprovals();
    assert.match(
      loaded.warning!,
      /was corrupt \(not valid JSON.*\); moved it to .*approvals\.json\.corrupt-.* and started a fresh approval state/,
    );
    assert.ok(!fs.existsSync(path.join(d.state, STATE.approvals)));
  });

  it('the ledger, its anchor, the run files and the merged MCP config', async () => {
    const d = dirs();
    const store = new FileStore(d.results, d.state);
    const mode = (f: string) => fs.statSync(f).mode & 0o777;
    assert.deepEqual(store.verifyReceipts(), { kind: 'none' });
    store.appendReceipt({ kind: 'tier_run' }, (t) => t);
    assert.equal(mode(path.join(d.results, LEDGER)), 0o640);
    assert.equal(mode(path.join(d.state, STATE.ledgerKey)), 0o600);
    assert.equal(JSON.parse(fs.readFileSync(path.join(d.state, STATE.ledgerAnchor), 'utf8')).seq, 1);
    assert.deepEqual(store.verifyReceipts(), { kind: 'checked', verification: { ok: true, lines: 1, legacy: 0 } });
    fs.rmSync(path.join(d.state, STATE.ledgerKey));
    assert.deepEqual(store.verifyReceipts(), {
      kind: 'no key',
      keyFile: path.join(d.state, STATE.ledgerKey),
      code: 'ENOENT',
    });
    assert.ok(!fs.existsSync(path.join(d.state, STATE.ledgerKey)), 'verifying makes no key');

    await store.openRunFiles({ id: 'run-20260303-100000', tier: 1 }, () => undefined).close();
    assert.equal(mode(path.join(d.results, 'run-20260303-100000-tier1.log')), 0o640);
    assert.equal(mode(path.join(d.results, 'run-20260303-100000-tier1.jsonl')), 0o640);
    store.openApprovalLog('p-0a1b2c3d4e5f').close();
    assert.equal(mode(path.join(d.results, 'approval-p-0a1b2c3d4e5f.log')), 0o640);

    const text = '{"mcpServers":{}}\n';
    const file = await store.saveMergedMcp(text);
    assert.equal(file, path.join(d.state, STATE.mcpMerged));
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.equal(mode(file), 0o600);
    const inode = fs.statSync(file).ino;
    await store.saveMergedMcp(text);
    assert.equal(fs.statSync(file).ino, inode, 'an unchanged merge is not rewritten');
  });

  it('names the file it cannot save the merged MCP config to', async () => {
    const d = dirs();
    fs.mkdirSync(path.dirname(d.state), { recursive: true });
    fs.writeFileSync(d.state, 'a file, not a directory');
    await assert.rejects(new FileStore(d.results, d.state).saveMergedMcp('{}\n'), (e: Error) =>
      e.message.startsWith(`cannot write ${path.join(d.state, STATE.mcpMerged)} (`),
    );
  });

  it('serialises writers to one file across FileStores of one process', async () => {
    const d = dirs();
    const [one, two] = [new FileStore(d.results, d.state), new FileStore(d.results, d.state)];
    const at = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? one : two).updateCooldown((c) => {
          const next = structuredClone(c);
          next.services[`s${i}`] = { actions: [restart(at)], consecutiveHealthy: 0 };
          return next;
        }),
      ),
    );
    assert.equal(Object.keys((await one.loadCooldown()).state.services).length, 8);
  });
});
