import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.js';
import { standaloneConsole } from '../console/standalone.js';
import { startHttp } from '../http/server.js';
import { Metrics } from '../metrics/metrics.js';
import { FileStore as ResultsStore } from './file-store.js';

const summary = (id: string, startedAt: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    startedAt,
    endedAt: startedAt,
    durationMs: 1200,
    trigger: 'schedule',
    dryRun: false,
    status: 'healthy',
    summary: `summary of ${id}`,
    costUsd: 0.01,
    tiers: [
      {
        tier: 1,
        model: 'haiku',
        exitClass: 'ok',
        costUsd: 0.01,
        durationMs: 1000,
        modelUsage: { 'claude-haiku-4-5': { costUSD: 0.01 } },
      },
    ],
    warnings: [],
    ...extra,
  });

function results(): { dir: string; state: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-store-'));
  const dir = path.join(root, 'results');
  fs.mkdirSync(dir);
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  fs.writeFileSync(
    path.join(dir, `run-${today}-000100.json`),
    summary(`run-${today}-000100`, new Date().toISOString()),
  );
  fs.writeFileSync(
    path.join(dir, `run-${today}-000200.json`),
    summary(`run-${today}-000200`, new Date().toISOString()).slice(0, 80),
  );
  fs.writeFileSync(path.join(dir, `run-${today}-000300.json`), JSON.stringify({ id: 'x', tiers: 'many' }));
  fs.writeFileSync(path.join(dir, 'receipts.ndjson'), '');
  return { dir, state: path.join(root, 'state') };
}

describe('results store', () => {
  it('skips a partial or wrong-shaped summary with a warning and reads the rest', async () => {
    const { dir, state } = results();
    const warnings: string[] = [];
    const store = new ResultsStore(dir, state, (w) => warnings.push(w));
    const { rows, total } = await store.cycles({ limit: 10 });
    assert.equal(total, 3, 'three summaries by name');
    assert.equal(rows.length, 1);
    assert.match(rows[0]!.summary, /^summary of run-\d{8}-000100$/);
    assert.equal(warnings.length, 2);
    assert.match(warnings.join('\n'), /000200\.json is not valid JSON .*left out/);
    assert.match(warnings.join('\n'), /000300\.json is not a cycle summary .*left out/);
    const [today] = await store.spendByDay(1);
    assert.equal(today!.totalUsd, 0.01);
    assert.deepEqual({ ...today!.byModel }, { 'claude-haiku-4-5': 0.01 });
  });

  it('still renders the console pages over them', async () => {
    const { dir, state } = results();
    const { config } = loadConfig(
      { ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_RESULTS_DIR: dir, CLAUDEOPS_STATE_DIR: state },
      path.dirname(dir),
    );
    const logger = pino({ level: 'silent' });
    const server = await startHttp({
      host: '127.0.0.1',
      port: 0,
      health: { health: () => ({ ok: true, reason: 'test' }) },
      metrics: new Metrics(),
      logger,
      console: standaloneConsole(config, logger),
    });
    const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    try {
      for (const url of ['/', '/cycles', '/cycles?status=failed', '/spend', '/live']) {
        const res = await fetch(base + url);
        assert.equal(res.status, 200, url);
        assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
      }
      assert.match(await (await fetch(`${base}/cycles`)).text(), /summary of run-\d{8}-000100/);
      assert.equal((await fetch(`${base}/cycles/run-20200101-000000`)).status, 404);
      assert.equal((await fetch(`${base}/cycles/..%2F..%2Fetc%2Fpasswd/tier/1/events.jsonl`)).status, 404);
    } finally {
      server.close();
    }
  });
});
