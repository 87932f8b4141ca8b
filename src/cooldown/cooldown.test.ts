import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { CheckStatus } from '../checks/results.js';
import { allowance, applyCycle, type CycleActions, withheldFrom } from './cooldown.js';
import { cooldownSchema, emptyCooldown, type CooldownState } from '../store/records.js';
import { FileStore } from '../store/file-store.js';

// The file's I/O is the store's: these go through a FileStore over the file's directory.
const storeOf = (file: string) => new FileStore(path.dirname(file), path.dirname(file));
const loadCooldown = (file: string) => storeOf(file).loadCooldown();
const saveCooldown = (file: string, s: CooldownState) => storeOf(file).updateCooldown(() => s);

const limits = {
  maxRestarts: 2,
  restartWindowMs: 4 * 3_600_000,
  maxRedeploys: 1,
  redeployWindowMs: 24 * 3_600_000,
  resetAfterHealthy: 2,
};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-cooldown-'));
const acts = (
  remediations: CycleActions['remediations'] = [],
  tier1: Record<string, CheckStatus> = {},
): CycleActions => ({ remediations, tier1: new Map(Object.entries(tier1)) });
const now = new Date('2026-11-21T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

describe('cooldown state', () => {
  it('counts restarts within the window only', () => {
    const state = {
      version: 1 as const,
      services: {
        web: {
          consecutiveHealthy: 0,
          actions: [
            { at: hoursAgo(1), action: 'restart' as const, outcome: 'succeeded' as const, tier: 2 },
            { at: hoursAgo(5), action: 'restart' as const, outcome: 'succeeded' as const, tier: 2 },
          ],
        },
      },
    };
    const a = allowance(state, 'web', limits, now);
    assert.equal(a.restarts, 1);
    assert.equal(a.restartsLeft, 1);
    assert.equal(withheldFrom(2, a), false);
  });

  it('withholds a service from tier 3 once its redeployment is used, whatever restarts remain, and from tier 2 only when both are used', () => {
    const restart = {
      at: hoursAgo(1),
      action: 'restart' as 'restart' | 'redeploy',
      outcome: 'succeeded' as const,
      tier: 2,
    };
    const redeploy = {
      at: hoursAgo(2),
      action: 'redeploy' as 'restart' | 'redeploy',
      outcome: 'succeeded' as const,
      tier: 3,
    };
    const state = { version: 1 as const, services: { web: { consecutiveHealthy: 0, actions: [restart, restart] } } };
    assert.equal(
      withheldFrom(2, allowance(state, 'web', limits, now)),
      false,
      'tier 2 can still hand up to a redeployment',
    );
    assert.equal(withheldFrom(3, allowance(state, 'web', limits, now)), false);
    state.services.web.actions = [redeploy];
    assert.equal(
      withheldFrom(3, allowance(state, 'web', limits, now)),
      true,
      'restarts are left, but tier 3 adds only redeployment',
    );
    assert.equal(withheldFrom(2, allowance(state, 'web', limits, now)), false);
    state.services.web.actions = [restart, restart, redeploy];
    assert.equal(withheldFrom(2, allowance(state, 'web', limits, now)), true);
  });

  it('does not count dry-run remediations', () => {
    const next = applyCycle(
      emptyCooldown(),
      acts([{ tier: 2, service: 'web', action: 'restart', outcome: 'dry-run' }]),
      limits,
      now,
    );
    assert.equal(allowance(next, 'web', limits, now).restarts, 0);
  });

  it('counts the healthy streak from tier 1 only, and resets the counters after two such cycles in a row', () => {
    const restart = { tier: 2, service: 'web', action: 'restart', outcome: 'succeeded' as const };
    let s = applyCycle(emptyCooldown(), acts([restart], { web: 'unhealthy' }), limits, now);
    assert.equal(s.services.web!.actions.length, 1);
    assert.equal(
      s.services.web!.consecutiveHealthy,
      0,
      'tier 2 saying healthy after its own fix is not a healthy cycle',
    );
    s = applyCycle(s, acts([], { web: 'healthy' }), limits, now);
    assert.equal(s.services.web!.consecutiveHealthy, 1);
    s = applyCycle(s, acts([], { web: 'degraded' }), limits, now);
    assert.equal(s.services.web!.consecutiveHealthy, 2);
    assert.equal(s.services.web!.actions.length, 0);
    s = applyCycle(s, acts([], { web: 'unknown' }), limits, now);
    assert.equal(s.services.web!.consecutiveHealthy, 0, 'a cycle that did not judge the service breaks the streak');
  });

  it('keeps services named like Object.prototype members apart from the prototype', async () => {
    let s = emptyCooldown();
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      s = applyCycle(
        s,
        acts([{ tier: 2, service: name, action: 'restart', outcome: 'succeeded' }], { [name]: 'unhealthy' }),
        limits,
        now,
      );
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      assert.equal(allowance(s, name, limits, now).restarts, 1, name);
    assert.equal(allowance(s, 'other', limits, now).restarts, 0);
    const file = path.join(tmp(), 'cooldown.json');
    await saveCooldown(file, s);
    const back = await loadCooldown(file);
    assert.equal(back.warning, undefined);
    for (const name of ['constructor', '__proto__', 'toString'])
      assert.equal(allowance(back.state, name, limits, now).restarts, 1, `${name} after a reload`);
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

  describe('a Claude Ops cooldown.json (a team switching over)', () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const upstream = () => ({
      services: {
        nginx: {
          restarts: [
            { timestamp: minutesAgo(30), success: true },
            { timestamp: minutesAgo(90), success: false, error: 'OOM killed' },
          ],
          redeployments: [{ timestamp: minutesAgo(60), success: true }],
          consecutive_healthy: 0,
        },
        postgres: {
          restarts: [],
          redeployments: [
            { timestamp: minutesAgo(600), success: true },
            { timestamp: 'yesterday-ish', success: true },
          ],
          consecutive_healthy: 1,
        },
        constructor: {
          restarts: [{ timestamp: minutesAgo(5), success: true }],
          redeployments: [],
          consecutive_healthy: 0,
        },
      },
      last_run: minutesAgo(10),
      last_daily_digest: null,
    });

    it('is converted once: its restarts count against the limits, the original is kept beside it, one line says so', async () => {
      const dir = tmp();
      const file = path.join(dir, 'cooldown.json');
      const original = JSON.stringify(upstream(), null, 2);
      fs.writeFileSync(file, original);
      const r = await loadCooldown(file);
      assert.equal(r.warning, undefined);
      assert.match(
        r.converted!,
        /^converted .*cooldown\.json from Claude Ops' schema: 3 restart\(s\) and 2 redeployment\(s\) of 3 service\(s\) \(1 record\(s\) without a readable timestamp left out\); the original is kept as .*cooldown\.claude-ops\.json$/,
      );
      const nowish = new Date();
      const nginx = allowance(r.state, 'nginx', limits, nowish);
      assert.deepEqual(
        nginx,
        { restarts: 2, redeploys: 1, restartsLeft: 0, redeploysLeft: 0 },
        'the failed restart counts too, as upstream counts it',
      );
      assert.equal(withheldFrom(2, nginx), true, 'nginx has used its restarts and its redeployment');
      assert.equal(allowance(r.state, 'constructor', limits, nowish).restarts, 1);
      assert.equal(r.state.services.postgres!.consecutiveHealthy, 1);
      assert.equal(r.state.services.nginx!.actions.find((a) => a.outcome === 'failed')!.tier, 2);
      assert.equal(r.state.services.nginx!.actions.find((a) => a.action === 'redeploy')!.tier, 3);
      assert.equal(
        fs.readFileSync(path.join(dir, 'cooldown.claude-ops.json'), 'utf8'),
        original,
        'the original, byte for byte',
      );
      assert.ok(
        cooldownSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8'))).success,
        'cooldown.json is ours now',
      );
      const again = await loadCooldown(file);
      assert.equal(again.converted, undefined, 'converted once');
      assert.equal(again.warning, undefined);
      assert.deepEqual(allowance(again.state, 'nginx', limits, nowish), nginx);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['cooldown.claude-ops.json', 'cooldown.json']);
    });

    it('never overwrites a kept original', async () => {
      const dir = tmp();
      const file = path.join(dir, 'cooldown.json');
      fs.writeFileSync(path.join(dir, 'cooldown.claude-ops.json'), 'an earlier original');
      fs.writeFileSync(file, JSON.stringify(upstream()));
      const r = await loadCooldown(file);
      assert.match(r.converted!, /kept as .*cooldown\.claude-ops-[\dT-]+Z\.json$/);
      assert.equal(fs.readFileSync(path.join(dir, 'cooldown.claude-ops.json'), 'utf8'), 'an earlier original');
    });

    it('a file that is neither schema is still moved aside as corrupt', async () => {
      const dir = tmp();
      const file = path.join(dir, 'cooldown.json');
      fs.writeFileSync(file, JSON.stringify({ services: { nginx: { restarts: 'many' } } }));
      const r = await loadCooldown(file);
      assert.equal(r.converted, undefined);
      assert.match(r.warning!, /was corrupt/);
      assert.deepEqual(r.state, emptyCooldown());
    });
  });
});
