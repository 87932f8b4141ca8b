import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckResult } from '../checks/results.js';
import { loadConfig, type Config } from '../config/config.js';
import { createLogger } from '../logger/logger.js';
import { Redactor } from '../logger/redactor.js';
import type { TierRun } from '../tier/fold.js';
import { ApprovalDesk } from '../desk/desk.js';
import { FileStore } from '../store/file-store.js';
import { changeHash, outstanding, pendingAt, recoveredSince, serviceRecovered, sortDrafts } from './pending.js';
import { proposePrompt } from './prompt.js';
import { contentHash } from './state.js';
import { emptyApprovals, type Approvals, type Proposal } from '../store/records.js';

const NOW = new Date('2026-11-22T10:00:00Z');
const restartWeb = {
  service: 'web',
  action: 'restart' as const,
  commands: ['docker restart web'],
  why: 'web returns 502',
  expected: 'web answers 200',
  rollback: 'none',
};

function proposal(over: Partial<Proposal> = {}): Proposal {
  const content = { cycle: 'run-1', tier: 3, ...restartWeb, ...over };
  return {
    id: 'p-1',
    ...content,
    hash: contentHash(content),
    createdAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 3_600_000).toISOString(),
    state: 'pending',
    ...over,
  };
}

function stateOf(...ps: Proposal[]): Approvals {
  const s = emptyApprovals();
  for (const p of ps) s.proposals[p.id] = p;
  return s;
}

const result = (
  id: string,
  status: CheckResult['status'],
  services: string[],
  over: Partial<CheckResult> = {},
): CheckResult => ({ id, title: id, status, services, ...over });

describe('a repeated proposal', () => {
  it('is the same change when service, action and commands match, whatever the cycle, tier or wording', () => {
    assert.equal(changeHash(restartWeb), changeHash({ ...restartWeb }));
    const { fresh, repeats } = sortDrafts(
      [{ ...restartWeb, why: 'still 502, third cycle in a row' }],
      [proposal({ cycle: 'run-0', tier: 2 })],
    );
    assert.deepEqual(fresh, []);
    assert.equal(repeats.length, 1);
    assert.equal(repeats[0]!.of.id, 'p-1');
  });

  it('is per service: the same commands for another service, another action or other commands are new', () => {
    const waiting = [proposal()];
    const drafts = [
      { ...restartWeb, service: 'api' },
      { ...restartWeb, action: 'redeploy' as const },
      { ...restartWeb, commands: ['docker restart web', 'curl -fsS http://web/'] },
    ];
    assert.deepEqual(sortDrafts(drafts, waiting), { fresh: drafts, repeats: [] });
  });

  it('is parked once when a cycle proposes it twice, and not at all while an approved one waits to run', () => {
    assert.deepEqual(sortDrafts([restartWeb, { ...restartWeb, why: 'again' }], []).fresh, [restartWeb]);
    assert.equal(sortDrafts([restartWeb], [proposal({ state: 'approved' })]).repeats.length, 1);
  });

  it('is new again once the earlier one was decided or expired', () => {
    for (const state of ['denied', 'expired', 'executed'] as const)
      assert.deepEqual(sortDrafts([restartWeb], outstanding(stateOf(proposal({ state })))).fresh, [restartWeb], state);
  });
});

describe('a pending proposal whose service recovers', () => {
  it('recovers when every check naming the service is healthy', () => {
    assert.equal(serviceRecovered('web', [result('a', 'healthy', ['web']), result('b', 'healthy', ['db'])]), true);
    assert.equal(serviceRecovered('web', [result('a', 'healthy', ['web']), result('b', 'unhealthy', ['web'])]), false);
    assert.equal(serviceRecovered('web', [result('a', 'degraded', ['web'])]), false);
    assert.equal(
      serviceRecovered('web', [result('a', 'unknown', ['web'])]),
      false,
      'a check nobody judged recovers nothing',
    );
  });

  it('recovers a service no check names only when every check is healthy; an invented check does not count', () => {
    assert.equal(serviceRecovered('web-1', [result('a', 'healthy', ['web']), result('b', 'healthy', [])]), true);
    assert.equal(serviceRecovered('web-1', [result('a', 'healthy', ['web']), result('b', 'unhealthy', ['db'])]), false);
    assert.equal(
      serviceRecovered('web', [result('x', 'healthy', ['web'], { invented: true }), result('b', 'unhealthy', ['db'])]),
      false,
    );
    assert.equal(serviceRecovered('web', []), false, 'a cycle with no results (skipped, failed) recovers nothing');
    assert.equal(
      serviceRecovered('web-1', [result('a', 'healthy', ['web']), result('b', 'not_applicable', ['db'])]),
      true,
      'a check that does not apply neither blocks nor makes a recovery',
    );
    assert.equal(serviceRecovered('web-1', [result('b', 'not_applicable', ['db'])]), false);
    assert.equal(
      serviceRecovered('web', [result('a', 'healthy', ['web']), result('b', 'not_applicable', ['web'])]),
      true,
    );
  });

  it('expires only pending proposals from earlier cycles', () => {
    const state = stateOf(
      proposal({ id: 'p-old' }),
      proposal({ id: 'p-now', cycle: 'run-2' }),
      proposal({ id: 'p-approved', state: 'approved' }),
      proposal({ id: 'p-db', service: 'db' }),
    );
    const moot = recoveredSince(state, {
      id: 'run-2',
      checks: [result('a', 'healthy', ['web']), result('b', 'unhealthy', ['db'])],
    });
    assert.deepEqual(
      moot.map((p) => p.id),
      ['p-old'],
    );
  });

  it('is no longer named to the model once past its time', () => {
    const state = stateOf(
      proposal({ id: 'p-a' }),
      proposal({ id: 'p-b', expiresAt: NOW.toISOString() }),
      proposal({ id: 'p-c', state: 'expired' }),
    );
    assert.deepEqual(
      pendingAt(state, NOW).map((p) => p.id),
      ['p-a'],
    );
  });
});

describe('the propose-mode prompt', () => {
  it('names the proposals already waiting, with their commands made visible', () => {
    const { config } = loadConfig(
      { ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_APPROVAL: 'tier3', CLAUDEOPS_SANDBOX: 'off' },
      os.tmpdir(),
    );
    const text = proposePrompt(config, 3, [
      {
        id: 'p-1',
        service: 'web',
        action: 'restart',
        commands: ['docker restart web\nrm -rf /'],
        createdAt: NOW.toISOString(),
      },
    ]);
    assert.match(text, /Already waiting for a human/);
    assert.ok(
      text.includes('- p-1 (since 2026-11-22T10:00:00.000Z): restart of web: `docker restart web⏎rm -rf /`'),
      text,
    );
    assert.doesNotMatch(proposePrompt(config, 3, []), /Already waiting/);
    assert.equal(
      proposePrompt(config, 2, [{ id: 'p-1', service: 'web', action: 'restart', commands: [], createdAt: '' }]),
      '',
      'a tier that acts is not in propose mode',
    );
  });
});

describe('the desk, cycle after cycle', () => {
  let root: string;
  let config: Config;
  let desk: ApprovalDesk;
  const receipts = () =>
    fs
      .readFileSync(path.join(config.resultsDir, 'receipts.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  const proposing = (tier: number, drafts: object[]) =>
    ({ tier, verdict: { proposals: drafts }, containment: { propose: true } }) as unknown as TierRun;
  const web = (status: CheckResult['status']) => [result('infra/web.md', status, ['web'])];

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-desk-'));
    ({ config } = loadConfig(
      {
        ANTHROPIC_API_KEY: 'k-test',
        CLAUDEOPS_STATE_DIR: path.join(root, 'state'),
        CLAUDEOPS_RESULTS_DIR: path.join(root, 'results'),
        CLAUDEOPS_REPOS_DIR: path.join(root, 'repos'),
        CLAUDEOPS_SANDBOX: 'off',
        CLAUDEOPS_APPROVAL_SECRET: 's'.repeat(40),
      },
      root,
    ));
    fs.mkdirSync(config.stateDir, { recursive: true });
    const redactor = new Redactor([]);
    desk = new ApprovalDesk({
      config,
      logger: createLogger({ level: 'silent', pretty: false, redactor }),
      redactor,
      stdout: () => undefined,
      store: new FileStore(config.resultsDir, config.stateDir),
      deliver: async () => [],
      now: () => NOW,
    });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('parks a change once, however many cycles propose it; each repeat is said in the cycle record, not parked or notified', async () => {
    const first = await desk.park({ id: 'run-1', tiers: [proposing(3, [restartWeb])], checks: web('unhealthy') }, NOW);
    assert.equal(first.parked.length, 1);
    for (const [i, why] of ['still 502', 'still 502, again'].entries()) {
      const again = await desk.park(
        { id: `run-${i + 2}`, tiers: [proposing(3, [{ ...restartWeb, why }])], checks: web('unhealthy') },
        new Date(NOW.getTime() + (i + 1) * 20_000),
      );
      assert.deepEqual(again.parked, [], 'nothing parked, so nothing is notified');
      assert.equal(again.warnings.length, 1);
      assert.match(again.warnings[0]!, new RegExp(`proposal ${first.parked[0]!.id} .*is already pending`));
    }
    const pending = await desk.pending(undefined, new Date(NOW.getTime() + 60_000));
    assert.deepEqual(
      pending.map((p) => p.id),
      [first.parked[0]!.id],
    );
    assert.equal(receipts().filter((r) => r.kind === 'approval_proposed').length, 1);
  });

  it('expires a pending proposal with a receipt once its service is healthy again, and it can no longer be approved', async () => {
    const [p] = await desk.pending(undefined, NOW);
    const later = new Date(NOW.getTime() + 80_000);
    await desk.park({ id: 'run-9', tiers: [], checks: web('healthy') }, later);
    assert.equal((await desk.show(p!.id))!.state, 'expired');
    const expired = receipts().filter((r) => r.kind === 'approval_expired');
    assert.equal(expired.length, 1);
    assert.deepEqual(
      [expired[0].proposal, expired[0].hash, expired[0].reason, expired[0].cycle],
      [p!.id, (await desk.show(p!.id))!.hash, 'recovered', 'run-9'],
    );
    const outcome = await desk.decide(
      'approve',
      p!.id,
      (await desk.show(p!.id))!.hash,
      { via: 'console session' },
      undefined,
      later,
    );
    assert.equal(outcome.ok, false);
    assert.equal((await desk.show(p!.id))!.state, 'expired');
    assert.equal(await desk.hasApproved(), false);
    assert.ok(!receipts().some((r) => r.kind === 'approval_approved'));
    assert.deepEqual(await desk.pending(undefined, later), []);
  });

  it('parks the same change anew once the earlier one is no longer pending', async () => {
    const again = await desk.park(
      { id: 'run-10', tiers: [proposing(3, [restartWeb])], checks: web('unhealthy') },
      new Date(NOW.getTime() + 100_000),
    );
    assert.equal(again.parked.length, 1);
  });
});
