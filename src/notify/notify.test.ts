import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config.js';
import type { CycleRecord, CycleStatus } from '../record/cycle-record.js';
import type { TierRun } from '../tier/tier-run.js';
import type { Verdict } from '../verdict/verdict.js';
import { emptyNotifyState, planNotifications, type NotifyState } from './notify.js';

const config = loadConfig({ ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_NOTIFY_FAILURES: '2', CLAUDEOPS_NOTIFY_REMIND: '3600' }, fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-n-'))).config;

function cycle(status: CycleStatus, verdict?: Verdict, exitClass = 'ok'): CycleRecord {
  const run = { tier: 1, model: 'haiku', logFile: 'run-x-tier1.log', exitClass, verdict, error: exitClass === 'ok' ? undefined : `${exitClass} happened` } as TierRun;
  return { id: 'run-x', status, summary: 's', tiers: [run], notifications: [] } as unknown as CycleRecord;
}
const web = (status: 'healthy' | 'unhealthy'): Verdict => ({ status, summary: '', escalate: false, checks: [{ name: 'HTTP', status, service: 'web' }] });

function sequence(cycles: [CycleRecord, number][]): string[][] {
  let state: NotifyState = emptyNotifyState();
  return cycles.map(([c, minutes]) => {
    const { messages, next } = planNotifications(state, c, config, new Date(Date.UTC(2026, 10, 21, 0, minutes)));
    state = next;
    return messages.map((m) => `${m.kind}:${m.key}`);
  });
}

describe('notification planning', () => {
  it('reminds about a still-unhealthy key only after CLAUDEOPS_NOTIFY_REMIND', () => {
    assert.deepEqual(sequence([[cycle('unhealthy', web('unhealthy')), 0], [cycle('unhealthy', web('unhealthy')), 30], [cycle('unhealthy', web('unhealthy')), 61], [cycle('unhealthy', web('unhealthy')), 90]]), [['unhealthy:web'], [], ['reminder:web'], []]);
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
});
