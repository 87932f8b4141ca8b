import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, lastToolResult, systemText, toolNames, toolUse, verdict } from '../fake-api.js';
import { cycleSummaries, files, read, run, sandbox, type Sandbox } from '../harness.js';

const unhealthyEscalate = verdict({
  status: 'unhealthy',
  summary: 'Container web is restarting in a loop (exit 137).',
  escalate: true,
  checks: [{ id: 'Docker containers', status: 'unhealthy', service: 'web', detail: 'web Restarting (137)' }],
  findings: 'OOM kill suspected',
});
const fixed = verdict({
  status: 'healthy',
  summary: 'Restarted web; it is up and healthy.',
  escalate: false,
  checks: [{ id: 'Docker containers', status: 'healthy', service: 'web' }],
  remediations: [{ service: 'web', action: 'restart', outcome: 'succeeded', detail: 'docker restart web' }],
});

async function cycle(
  replies: Parameters<typeof byModel>[0],
  env: Record<string, string> = {},
  setup?: (sb: Sandbox) => void,
) {
  const api = new FakeApi(byModel(replies));
  const sb = sandbox(await api.start(), env);
  setup?.(sb);
  const result = await run(['once'], sb, 120_000);
  await api.stop();
  const [summary] = cycleSummaries(sb.resultsDir);
  return { api, sb, result, summary };
}

const byFamily = (api: FakeApi, family: string) => api.messages.filter((r) => String(r.body.model).includes(family));

describe('escalation', () => {
  it('hands an unhealthy tier-1 verdict to tier 2, in its own process with write tools and tier 1’s findings', async () => {
    const { api, sb, result, summary } = await cycle({ haiku: [unhealthyEscalate], sonnet: [fixed] });
    try {
      assert.equal(result.code, 0, result.stdout.slice(-2000));
      const t1 = byFamily(api, 'haiku');
      const t2 = byFamily(api, 'sonnet');
      assert.equal(t1.length, 1);
      assert.equal(t2.length, 1);
      assert.equal(t2[0]!.body.model, 'claude-sonnet-5');
      assert.ok(!toolNames(t1[0]!).includes('Edit') && !toolNames(t1[0]!).includes('Write'));
      assert.ok(toolNames(t2[0]!).includes('Edit') && toolNames(t2[0]!).includes('Write'), String(toolNames(t2[0]!)));
      const sys = systemText(t2[0]!);
      assert.match(sys, /## Escalation context/);
      assert.ok(
        sys.indexOf('Environment: ') < sys.indexOf('## Escalation context'),
        'the handoff comes after the environment line',
      );
      assert.match(sys, /Container web is restarting in a loop \(exit 137\)\./);
      assert.match(sys, /OOM kill suspected/);
      assert.ok(!systemText(t1[0]!).includes('Escalation context'));
      const logs = files(sb.resultsDir).filter((n) => n.endsWith('.log'));
      assert.deepEqual(
        logs.map((n) => n.replace(/^run-[\d-]+-/, '')),
        ['tier1.log', 'tier2.log'],
      );
      assert.equal(summary.status, 'healthy');
      assert.deepEqual(summary.escalations, [{ from: 1, to: 2 }]);
      const cooldown = JSON.parse(read(path.join(sb.stateDir, 'cooldown.json')));
      assert.equal(cooldown.services.web.actions.length, 1);
      assert.equal(cooldown.services.web.actions[0].action, 'restart');
    } finally {
      sb.cleanup();
    }
  });

  it('goes on to tier 3 when tier 2 escalates, and the cycle ends with tier 3’s status', async () => {
    const stillBroken = verdict({
      status: 'unhealthy',
      summary: 'Restart did not help; the image changed.',
      escalate: true,
      checks: [{ id: 'Docker containers', status: 'unhealthy', service: 'web' }],
    });
    const { api, sb, result, summary } = await cycle(
      {
        haiku: [unhealthyEscalate],
        sonnet: [stillBroken],
        opus: [
          verdict({ status: 'unhealthy', summary: 'Needs a human: registry credentials expired.', escalate: false }),
        ],
      },
      { CLAUDEOPS_APPROVAL: 'none' },
    );
    try {
      assert.equal(result.code, 1);
      assert.equal(byFamily(api, 'opus').length, 1);
      assert.match(systemText(byFamily(api, 'opus')[0]!), /Restart did not help; the image changed\./);
      assert.ok(toolNames(byFamily(api, 'opus')[0]!).includes('NotebookEdit'));
      assert.equal(summary.tiers.length, 3);
      assert.equal(summary.status, 'unhealthy');
      assert.equal(summary.summary, 'Needs a human: registry credentials expired.');
    } finally {
      sb.cleanup();
    }
  });

  it('with CLAUDEOPS_DRY_RUN=true never offers Edit or Write, and tier 2 keeps tier 1’s deny rules', async () => {
    const tryRestart = toolUse('Bash', { command: 'systemctl restart web', description: 'restart web' });
    const { api, sb, result } = await cycle(
      {
        haiku: [unhealthyEscalate],
        sonnet: [
          tryRestart,
          verdict({ status: 'unhealthy', summary: '[dry-run] Would: systemctl restart web', escalate: false }),
        ],
      },
      { CLAUDEOPS_DRY_RUN: 'true' },
    );
    try {
      assert.equal(result.code, 1, result.stdout.slice(-2000));
      assert.equal(byFamily(api, 'sonnet').length, 2, 'tier 2 still ran');
      for (const r of api.messages) {
        assert.ok(
          !toolNames(r).includes('Edit') && !toolNames(r).includes('Write'),
          `${r.body.model} offered ${toolNames(r)}`,
        );
        assert.match(systemText(r), /CLAUDEOPS_DRY_RUN=true/);
      }
      assert.match(
        lastToolResult(byFamily(api, 'sonnet')[1]!) ?? '',
        /Permission to use Bash with command systemctl restart web has been denied/,
      );
      const story = read(
        path.join(
          sb.resultsDir,
          files(sb.resultsDir).find((n) => n.endsWith('tier2.log'))!,
        ),
      );
      assert.match(story, /permission denial/);
    } finally {
      sb.cleanup();
    }
  });

  it('without dry run, tier 2 may restart: the same command is not denied', async () => {
    const tryRestart = toolUse('Bash', {
      command: 'systemctl restart claudeops-test-no-such-unit',
      description: 'restart',
    });
    const { api, sb } = await cycle({ haiku: [unhealthyEscalate], sonnet: [tryRestart, fixed] });
    try {
      assert.doesNotMatch(lastToolResult(byFamily(api, 'sonnet')[1]!) ?? '', /has been denied/);
    } finally {
      sb.cleanup();
    }
  });

  it('with CLAUDEOPS_MAX_TIER=1 starts no second run', async () => {
    const { api, sb, result, summary } = await cycle(
      { haiku: [unhealthyEscalate], sonnet: [fixed] },
      { CLAUDEOPS_MAX_TIER: '1' },
    );
    try {
      assert.equal(result.code, 1);
      assert.equal(byFamily(api, 'sonnet').length, 0);
      assert.equal(files(sb.resultsDir).filter((n) => n.endsWith('.log')).length, 1);
      assert.equal(summary.escalationStopped, 'CLAUDEOPS_MAX_TIER is 1');
    } finally {
      sb.cleanup();
    }
  });

  it('does not hand a service with no restart and no redeployment left to tier 2, and records why', async () => {
    const recent = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    const { api, sb, result, summary } = await cycle({ haiku: [unhealthyEscalate], sonnet: [fixed] }, {}, (sb) => {
      fs.mkdirSync(sb.stateDir, { recursive: true });
      fs.writeFileSync(
        path.join(sb.stateDir, 'cooldown.json'),
        JSON.stringify({
          version: 1,
          services: {
            web: {
              consecutiveHealthy: 0,
              actions: [
                { at: recent(30), action: 'restart', outcome: 'succeeded', tier: 2 },
                { at: recent(90), action: 'restart', outcome: 'failed', tier: 2 },
                { at: recent(60), action: 'redeploy', outcome: 'succeeded', tier: 3 },
              ],
            },
          },
        }),
      );
    });
    try {
      assert.equal(result.code, 1);
      assert.equal(byFamily(api, 'sonnet').length, 0, 'tier 2 was not started');
      assert.match(summary.escalationStopped, /every unhealthy service is at its cooldown limit: web/);
      assert.equal(summary.cooldownWithheld[0].service, 'web');
      assert.match(
        summary.cooldownWithheld[0].why,
        /no restart or redeployment left: 2 restart\(s\) in the last 4 h \(limit 2\), 1 redeployment\(s\) in the last 24 h \(limit 1\)/,
      );
    } finally {
      sb.cleanup();
    }
  });

  it('keeps the redeployment limit over four quick cycles: a model that redeploys every time it can gets one redeployment', async () => {
    // The trial: each cycle tier 1 finds web down, tier 2 hands up, tier 3 redeploys and
    // says all is well. Tier 3's "healthy" used to count as a healthy cycle, which reset
    // the counters, and spare restarts kept tier 3 in play after its one redeployment.
    const webCheck = '# Web\n\n- Service: web\n\n## How\ncurl the site\n\n## Healthy when\n200\n';
    const down = verdict({
      status: 'unhealthy',
      summary: 'web is down',
      escalate: true,
      checks: [{ id: 'infra/web.md', status: 'unhealthy', detail: '502' }],
    });
    const handUp = verdict({
      status: 'unhealthy',
      summary: 'web needs a redeployment',
      escalate: true,
      checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
    });
    const fleet = path.join(os.tmpdir(), `claudeops-fleet-${process.pid}-${Date.now()}`);
    fs.mkdirSync(fleet);
    const redeploy = [
      toolUse('Bash', {
        command: `echo "redeploy web $(date +%s%N)" >> ${fleet}/redeploys.log`,
        description: 'redeploy web',
      }),
      verdict({
        status: 'healthy',
        summary: 'Redeployed web; it answers 200.',
        escalate: false,
        checks: [{ id: 'infra/web.md', status: 'healthy' }],
        remediations: [{ service: 'web', action: 'redeploy', outcome: 'succeeded' }],
      }),
    ];
    const api = new FakeApi(
      byModel({
        haiku: [down, down, down, down],
        sonnet: [handUp, handUp, handUp, handUp],
        opus: [...redeploy, ...redeploy, ...redeploy, ...redeploy],
      }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_TIER3_WRITABLE: fleet, CLAUDEOPS_APPROVAL: 'none' });
    sb.addRepo('infra', { '.claude-ops/checks/web.md': webCheck });
    try {
      for (let i = 0; i < 4; i++) {
        const r = await run(['once'], sb, 120_000);
        assert.equal(r.code, i === 0 ? 0 : 1, r.stdout.slice(-1500));
      }
      const lines = read(path.join(fleet, 'redeploys.log')).trim().split('\n');
      assert.equal(lines.length, 1, `redeployments that reached the fleet: ${lines.join(' | ')}`);
      const summaries = cycleSummaries(sb.resultsDir);
      assert.deepEqual(
        summaries.map((s) => s.tiers.map((t: { tier: number }) => t.tier).join('')),
        ['123', '12', '12', '12'],
      );
      for (const s of summaries.slice(1))
        assert.match(s.escalationStopped, /every unhealthy service is at its cooldown limit: web/);
      const cooldown = JSON.parse(read(path.join(sb.stateDir, 'cooldown.json')));
      assert.equal(cooldown.services.web.consecutiveHealthy, 0, 'tier 1 never judged web healthy');
      assert.equal(cooldown.services.web.actions.filter((a: { action: string }) => a.action === 'redeploy').length, 1);
    } finally {
      await api.stop();
      sb.cleanup();
      fs.rmSync(fleet, { recursive: true, force: true });
    }
  });
});
