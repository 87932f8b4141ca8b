import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { TierRun } from '../tier/tier-run.js';
import type { Verdict } from '../verdict/verdict.js';
import { allowance, applyCycle, cooldownSchema, emptyCooldown, loadCooldown, saveCooldown, withheldFrom } from './cooldown.js';

const limits = { maxRestarts: 2, restartWindowMs: 4 * 3_600_000, maxRedeploys: 1, redeployWindowMs: 24 * 3_600_000, resetAfterHealthy: 2 };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-cooldown-'));
const runWith = (tier: 1 | 2 | 3, verdict: Verdict) => ({ tier, verdict }) as TierRun;
const now = new Date('2026-11-21T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

describe('cooldown state', () => {
  it('counts restarts within the window only', () => {
    const state = {
      version: 1 as const,
      services: { web: { consecutiveHealthy: 0, actions: [{ at: hoursAgo(1), action: 'restart' as const, outcome: 'succeeded' as const, tier: 2 }, { at: hoursAgo(5), action: 'restart' as const, outcome: 'succeeded' as const, tier: 2 }] } },
    };
    const a = allowance(state, 'web', limits, now);
    assert.equal(a.restarts, 1);
    assert.equal(a.restartsLeft, 1);
    assert.equal(withheldFrom(2, a), false);
  });

  it('withholds a service from tier 2 at its restart limit, and from tier 3 only when redeploys are used up too', () => {
    const restart = { at: hoursAgo(1), action: 'restart' as const, outcome: 'succeeded' as const, tier: 2 };
    const state = { version: 1 as const, services: { web: { consecutiveHealthy: 0, actions: [restart, restart] } } };
    const a = allowance(state, 'web', limits, now);
    assert.equal(withheldFrom(2, a), true);
    assert.equal(withheldFrom(3, a), false);
    state.services.web.actions.push({ at: hoursAgo(2), action: 'redeploy' as never, outcome: 'succeeded', tier: 3 });
    assert.equal(withheldFrom(3, allowance(state, 'web', limits, now)), true);
  });

  it('does not count dry-run remediations', () => {
    const next = applyCycle(emptyCooldown(), [runWith(2, { status: 'unhealthy', summary: '', escalate: false, remediations: [{ service: 'web', action: 'restart', outcome: 'dry-run' }] })], limits, now);
    assert.equal(allowance(next, 'web', limits, now).restarts, 0);
  });

  it('records remediations and resets the counters after two healthy cycles in a row', () => {
    const broken: Verdict = { status: 'healthy', summary: '', escalate: false, checks: [{ name: 'c', status: 'healthy', service: 'web' }], remediations: [{ service: 'web', action: 'restart', outcome: 'succeeded' }] };
    let s = applyCycle(emptyCooldown(), [runWith(2, broken)], limits, now);
    assert.equal(s.services.web!.actions.length, 1);
    assert.equal(s.services.web!.consecutiveHealthy, 1);
    s = applyCycle(s, [runWith(1, { status: 'healthy', summary: '', escalate: false, checks: [{ name: 'c', status: 'healthy', service: 'web' }] })], limits, now);
    assert.equal(s.services.web!.consecutiveHealthy, 2);
    assert.equal(s.services.web!.actions.length, 0);
    s = applyCycle(s, [runWith(1, { status: 'unhealthy', summary: '', escalate: false, checks: [{ name: 'c', status: 'unhealthy', service: 'web' }] })], limits, now);
    assert.equal(s.services.web!.consecutiveHealthy, 0);
  });

  it('moves a corrupt file aside, keeps it, and starts fresh', async () => {
    const dir = tmp();
    const file = path.join(dir, 'cooldown.json');
    fs.writeFileSync(file, '{"version":1,"services":{"web":{"actions":"lots"');
    const r = await loadCooldown(file);
    assert.deepEqual(r.state, emptyCooldown());
    assert.match(r.warning!, /was corrupt \(not valid JSON.*\); moved it to .*cooldown\.json\.corrupt-/);
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith('cooldown.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.match(fs.readFileSync(path.join(dir, aside[0]!), 'utf8'), /"lots"/);
    assert.ok(!fs.existsSync(file));
  });

  it('moves aside a file of the wrong shape too', async () => {
    const dir = tmp();
    const file = path.join(dir, 'cooldown.json');
    fs.writeFileSync(file, JSON.stringify({ version: 2, services: [] }));
    const r = await loadCooldown(file);
    assert.match(r.warning!, /was corrupt \(version/);
  });

  it('survives a crash in the middle of writing: the file always parses', async () => {
    const dir = tmp();
    const file = path.join(dir, 'cooldown.json');
    await saveCooldown(file, emptyCooldown());
    const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cooldown-writer.fixture.js');
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + round * 15));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const parsed = cooldownSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      assert.ok(parsed.success, `round ${round}: ${fs.readFileSync(file, 'utf8').slice(0, 200)}`);
      const r = await loadCooldown(file);
      assert.equal(r.warning, undefined);
      assert.deepEqual(fs.readdirSync(dir), ['cooldown.json'], 'leftover temporary files are removed at load');
    }
  });
});
