import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config.js';
import type { CycleRecord, CycleStatus } from '../record/cycle-record.js';
import type { TierRun } from '../tier/tier-run.js';
import type { Verdict } from '../verdict/verdict.js';
import { applyResults, emptyCheckState, type CheckState } from '../checks/check-state.js';
import { parseCheckFile } from '../checks/check-file.js';
import type { CheckDef } from '../checks/discover.js';
import { checkResults } from '../checks/results.js';
import { emptyNotifyState, planNotifications, type NotifyState } from './notify.js';

const config = loadConfig({ ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_NOTIFY_FAILURES: '2', CLAUDEOPS_NOTIFY_REMIND: '3600' }, fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-n-'))).config;

const webCheck = (over: Partial<CheckDef> = {}): CheckDef => ({ id: 'infra/web.md', repo: 'infra', file: '/repos/infra/.claude-ops/checks/web.md', title: 'Web', services: ['web'], parsed: parseCheckFile('# Web'), ...over });

function cycle(status: CycleStatus, verdict?: Verdict, exitClass = 'ok'): CycleRecord {
  const run = { tier: 1, model: 'haiku', logFile: 'run-x-tier1.log', exitClass, verdict, error: exitClass === 'ok' ? undefined : `${exitClass} happened` } as TierRun;
  return { id: 'run-x', status, summary: 's', tiers: [run], notifications: [], checks: [], checkChanges: [] } as unknown as CycleRecord;
}
const web = (status: 'healthy' | 'unhealthy' | 'unknown' | 'degraded'): Verdict => ({ status: status === 'unhealthy' ? 'unhealthy' : 'healthy', summary: '', escalate: false, checks: status === 'unknown' ? [] : [{ id: 'infra/web.md', status, detail: `web is ${status}` }] });

/** Runs cycles through the daemon's own steps (judge, thresholds, plan) and lists what was sent. */
function sequence(cycles: [CycleRecord, number][], checks: CheckDef[] = [webCheck()]): string[][] {
  let state: NotifyState = emptyNotifyState();
  let checkState: CheckState = emptyCheckState();
  return cycles.map(([c, minutes]) => {
    const now = new Date(Date.UTC(2026, 10, 21, 0, minutes));
    c.checks = c.tiers[0]!.verdict ? checkResults(checks, c.tiers) : [];
    const byId = new Map(checks.map((d) => [d.id, d]));
    const applied = applyResults(checkState, c.checks, (id) => ({ failure: byId.get(id)?.failureThreshold ?? 1, success: byId.get(id)?.successThreshold ?? 1 }), c.id, now);
    checkState = applied.next;
    c.checkChanges = applied.transitions;
    const { messages, next } = planNotifications(state, c, checkState, config, now);
    state = next;
    return messages.map((m) => `${m.kind}:${m.key}`);
  });
}

describe('notification planning', () => {
  it('reminds about a still-unhealthy key only after CLAUDEOPS_NOTIFY_REMIND', () => {
    assert.deepEqual(sequence([[cycle('unhealthy', web('unhealthy')), 0], [cycle('unhealthy', web('unhealthy')), 30], [cycle('unhealthy', web('unhealthy')), 61], [cycle('unhealthy', web('unhealthy')), 90]]), [['unhealthy:infra/web.md'], [], ['reminder:infra/web.md'], []]);
  });

  it('tells the daemon’s own trouble once at N failed cycles, and when it is over', () => {
    const failed = cycle('failed', undefined, 'server');
    assert.deepEqual(sequence([[failed, 0], [failed, 1], [failed, 2], [cycle('healthy', web('healthy')), 3]]), [[], ['daemon:claudeops'], [], ['resolved:claudeops']]);
  });

  it('tells an auth failure at once, not again while it lasts', () => {
    const auth = cycle('failed', undefined, 'auth');
    assert.deepEqual(sequence([[auth, 0], [auth, 1]]), [['auth:claudeops'], ['daemon:claudeops']]);
  });

  it('tells a remediation performed, but not a dry-run one', () => {
    const v = (outcome: 'succeeded' | 'dry-run'): Verdict => ({ ...web('healthy'), remediations: [{ service: 'web', action: 'restart', outcome }] });
    assert.deepEqual(sequence([[cycle('healthy', v('succeeded')), 0], [cycle('healthy', v('dry-run')), 1]]), [['remediation:web'], []]);
  });

  it('tells nothing for a healthy key that was never unhealthy', () => {
    assert.deepEqual(sequence([[cycle('healthy', web('healthy')), 0]]), [[]]);
  });

  it('never resolves a check because it went unreported: only a good result resolves it', () => {
    assert.deepEqual(
      sequence([[cycle('unhealthy', web('unhealthy')), 0], [cycle('incomplete', web('unknown')), 1], [cycle('incomplete', web('unknown')), 2], [cycle('degraded', web('degraded')), 3]]),
      [['unhealthy:infra/web.md'], [], [], ['resolved:infra/web.md']],
    );
  });

  it('pages nobody for a flaky check below its failure threshold, and pages at the threshold', () => {
    const flaky = [webCheck({ failureThreshold: 2, successThreshold: 2 })];
    const seq = (s: 'healthy' | 'unhealthy', m: number): [CycleRecord, number] => [cycle(s, web(s)), m];
    assert.deepEqual(sequence([seq('unhealthy', 0), seq('healthy', 1), seq('unhealthy', 2), seq('healthy', 3)], flaky), [[], [], [], []]);
    assert.deepEqual(
      sequence([seq('unhealthy', 0), seq('unhealthy', 1), seq('healthy', 2), seq('unhealthy', 3), seq('healthy', 4), seq('healthy', 5)], flaky),
      [[], ['unhealthy:infra/web.md'], [], [], [], ['resolved:infra/web.md']],
    );
  });

  it('keeps checks whose ids are Object.prototype names apart', () => {
    const odd = ['__proto__', 'constructor'].map((id) => webCheck({ id, title: id }));
    const v = (status: 'healthy' | 'unhealthy'): Verdict => ({ status, summary: '', escalate: false, checks: odd.map((c) => ({ id: c.id, status })) });
    const out = sequence([[cycle('unhealthy', v('unhealthy')), 0], [cycle('unhealthy', v('unhealthy')), 1], [cycle('unhealthy', v('unhealthy')), 2], [cycle('healthy', v('healthy')), 3]], odd);
    assert.deepEqual(out, [['unhealthy:__proto__', 'unhealthy:constructor'], [], [], ['resolved:__proto__', 'resolved:constructor']]);
  });
});
