// A team switching from upstream Claude Ops brings its state directory: its
// cooldown.json, in Claude Ops' schema, still limits what the daemon's tiers may do.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, verdict } from '../fake-api.js';
import { cycleSummaries, read, run, sandbox } from '../harness.js';

const unhealthyEscalate = verdict({
  status: 'unhealthy',
  summary: 'Container web is restarting in a loop (exit 137).',
  escalate: true,
  checks: [{ id: 'Docker containers', status: 'unhealthy', service: 'web', detail: 'web Restarting (137)' }],
});
const fixed = verdict({
  status: 'healthy',
  summary: 'Restarted web.',
  escalate: false,
  checks: [{ id: 'Docker containers', status: 'healthy', service: 'web' }],
  remediations: [{ service: 'web', action: 'restart', outcome: 'succeeded' }],
});

describe('a Claude Ops state directory', () => {
  it('keeps its restart history: restarts Claude Ops made count against the cooldown, and its file is kept beside ours', async () => {
    const api = new FakeApi(byModel({ haiku: [unhealthyEscalate], sonnet: [fixed] }));
    const sb = sandbox(await api.start());
    try {
      const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
      const upstream = JSON.stringify({
        services: {
          web: {
            restarts: [
              { timestamp: ago(30), success: true },
              { timestamp: ago(90), success: false, error: 'OOM killed' },
            ],
            redeployments: [{ timestamp: ago(60), success: true }],
            consecutive_healthy: 0,
          },
        },
        last_run: ago(10),
        last_daily_digest: null,
      });
      fs.mkdirSync(sb.stateDir, { recursive: true });
      fs.writeFileSync(path.join(sb.stateDir, 'cooldown.json'), upstream);

      const result = await run(['once'], sb, 120_000);
      const [summary] = cycleSummaries(sb.resultsDir);
      assert.equal(
        api.messages.filter((r) => String(r.body.model).includes('sonnet')).length,
        0,
        'tier 2 was not started',
      );
      assert.equal(result.code, 1);
      assert.match(summary.escalationStopped, /every unhealthy service is at its cooldown limit: web/);
      assert.match(
        summary.cooldownWithheld[0].why,
        /2 restart\(s\) in the last 4 h \(limit 2\), 1 redeployment\(s\) in the last 24 h \(limit 1\)/,
      );
      assert.doesNotMatch(summary.warnings.join('\n'), /corrupt/);
      assert.match(
        result.stdout,
        /converted .*cooldown\.json from Claude Ops' schema: 2 restart\(s\) and 1 redeployment\(s\)/,
        'one info line says so',
      );
      assert.equal(read(path.join(sb.stateDir, 'cooldown.claude-ops.json')), upstream, 'the original, kept');
      const ours = JSON.parse(read(path.join(sb.stateDir, 'cooldown.json')));
      assert.equal(ours.version, 1);
      assert.deepEqual(
        ours.services.web.actions.map((a: { action: string; outcome: string }) => `${a.action} ${a.outcome}`).sort(),
        ['redeploy succeeded', 'restart failed', 'restart succeeded'],
      );
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});
