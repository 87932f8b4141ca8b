// The daemon owns the check set: it finds every check in the app and in repos laid out
// the Claude Ops way, hands each to tier 1 by id and path, and judges the verdict
// against that list. Repo manifests, playbooks and skills are enforced by rules and
// the sandbox, tested by their effect.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  FakeApi,
  byModel,
  lastToolResult,
  systemText,
  toolNames,
  toolUse,
  userText,
  verdict,
  type RecordedRequest,
} from '../fake-api.js';
import { cycleSummaries, read, run, sandbox, type Sandbox } from '../harness.js';

const section = (how: string, healthy: string) => `## How to Check\n${how}\n\n## What's Healthy\n${healthy}\n`;

const ALPHA = {
  'CLAUDE-OPS.md': [
    '# alpha-infra',
    '',
    '## Kind',
    'Ansible inventory and playbooks for the web tier.',
    '',
    '## Capabilities',
    '- service-discovery',
    '- redeployment',
    '',
    '## Rules',
    '- Only Opus (Tier 3) should run playbooks from this repo.',
    '- Never modify files in this repo.',
    '- Always use `--limit` when running a playbook. ALPHA-RULE-MARK',
    '',
  ].join('\n'),
  '.claude-ops/checks/http/web.md': `# Web frontend\n\n- Service: web\n- Severity: critical\n\n${section('curl -sS --max-time 10 https://web.example/healthz', 'HTTP 200 within 2 s.')}`,
  '.claude-ops/checks/databases.md': `# Databases\n\n- Services: postgres, pgbouncer\n- Severity: critical\n\n${section('pg_isready -h db; psql -h pgbouncer -c "SHOW POOLS"', 'Both answer.')}`,
  '.claude-ops/playbooks/redeploy-web.md':
    '# Redeploy web\n\nansible-playbook site.yml --limit web ALPHA-PLAYBOOK-CONTENT\n',
  '.claude-ops/skills/prune-logs/SKILL.md':
    '---\nname: prune-logs\ndescription: Prune web logs older than a week SKILL-ALPHA-MARK\n---\n# Prune logs\nfind /var/log/web -mtime +7 -print\n',
};
const BETA = {
  '.claude-ops/checks/cache/redis.md': `# Redis cache\n\n- Service: redis\n- Severity: warning\n- Failure threshold: 2\n\n${section('redis-cli -h redis PING', 'PONG')}`,
  '.claude-ops/playbooks/restart-cache.md':
    '# Restart the cache\n\n- Tier: 2\n\ndocker restart redis BETA-PLAYBOOK-CONTENT\n',
};
const GAMMA = {
  '.claude-ops/checks/backups.md': `# Nightly backups\n\n- Service: backup\n- Severity: warning\n\n${section('ls -l /backups | tail -1', 'A file from the last 26 h.')}`,
  '.claude-ops/skills/rotate-keys.md': '# Rotate keys\n\nSKILL-GAMMA-MARK: how to rotate the API keys.\n',
};

const HANDED = [
  'builtin/disk-space.md',
  'builtin/docker-containers.md',
  'builtin/http-endpoints.md',
  'alpha/databases.md',
  'alpha/http/web.md',
  'beta/cache/redis.md',
  'gamma/backups.md',
];

function threeRepos(sb: Sandbox): Record<'alpha' | 'beta' | 'gamma', string> {
  return { alpha: sb.addRepo('alpha', ALPHA), beta: sb.addRepo('beta', BETA), gamma: sb.addRepo('gamma', GAMMA) };
}

const entry = (id: string, status = 'healthy', extra: Record<string, string> = {}) => ({ id, status, ...extra });

describe('the daemon hands out the checks and holds the verdict to them', () => {
  it('names every check file in the tier-1 request, records an omitted check as unknown and an invented one as flagged', async () => {
    const reported = HANDED.filter((id) => id !== 'gamma/backups.md')
      .map((id) =>
        id === 'alpha/databases.md'
          ? [
              entry(id, 'healthy', { service: 'postgres' }),
              entry(id, 'degraded', { service: 'pgbouncer', detail: 'pool 90% used' }),
            ]
          : [entry(id)],
      )
      .flat();
    const api = new FakeApi(
      byModel({
        haiku: [
          verdict({
            status: 'healthy',
            summary: 'All fine.',
            escalate: false,
            checks: [...reported, entry('made-up/thing.md')],
          }),
        ],
      }),
    );
    const sb = sandbox(
      await api.start(),
      { CLAUDEOPS_CHECKS_DISABLE: 'builtin/dns.md,builtin/tls-*' },
      { builtinChecks: true },
    );
    const repos = threeRepos(sb);
    try {
      const r = await run(['once'], sb, 120_000);
      assert.equal(r.code, 1, `an incomplete cycle is not plain healthy\n${r.stdout.slice(-2000)}`);
      const first = api.messages[0]!;
      const prompt = userText(first);
      for (const id of HANDED) assert.ok(prompt.includes(`id \`${id}\``), `the prompt does not name ${id}`);
      for (const file of [
        path.join(repos.alpha, '.claude-ops/checks/http/web.md'),
        path.join(repos.beta, '.claude-ops/checks/cache/redis.md'),
        path.join(sb.appDir, 'checks/disk-space.md'),
      ])
        assert.ok(prompt.includes(file), `the prompt does not give the path ${file}`);
      assert.ok(prompt.includes(`There are exactly ${HANDED.length} check(s)`));
      assert.ok(
        !prompt.includes('builtin/dns.md') && !prompt.includes('builtin/tls-certificates.md'),
        'disabled checks are not handed out',
      );
      assert.ok(
        !prompt.includes('ALPHA-PLAYBOOK-CONTENT') && !prompt.includes('redeploy-web.md'),
        'tier 1 is not given playbooks',
      );

      assert.match(
        systemText(first),
        /The mounted repos, in their own words[\s\S]*### Repo alpha[\s\S]*ALPHA-RULE-MARK/,
      );
      assert.ok(toolNames(first).includes('Skill'), String(toolNames(first)));
      const body = JSON.stringify(first.body);
      assert.match(body, /alpha-prune-logs: Prune web logs older than a week SKILL-ALPHA-MARK/);
      assert.match(body, /gamma-rotate-keys: Rotate keys/);

      const [s] = cycleSummaries(sb.resultsDir);
      assert.equal(s.status, 'incomplete');
      assert.match(s.summary, /\(1 of 7 checks not judged\)$/);
      assert.deepEqual(s.disabledChecks, ['builtin/dns.md', 'builtin/tls-certificates.md']);
      const byId = Object.fromEntries(s.checks.map((c: { id: string }) => [c.id, c]));
      assert.deepEqual(byId['gamma/backups.md'], {
        id: 'gamma/backups.md',
        title: 'Nightly backups',
        status: 'unknown',
        services: ['backup'],
        detail: 'not reported by the agent',
        severity: 'warning',
      });
      assert.equal(byId['made-up/thing.md'].invented, true);
      assert.deepEqual(byId['alpha/databases.md'], {
        id: 'alpha/databases.md',
        title: 'Databases',
        status: 'degraded',
        services: ['postgres', 'pgbouncer'],
        detail: 'pool 90% used',
        tier: 1,
        severity: 'critical',
      });
      assert.ok(
        s.warnings.some((w: string) => /did not hand out/.test(w) && w.includes('made-up/thing.md')),
        String(s.warnings),
      );
      assert.ok(
        s.warnings.some((w: string) => /1 check\(s\) not reported by the agent.*gamma\/backups\.md/.test(w)),
        String(s.warnings),
      );

      const state = JSON.parse(read(path.join(sb.stateDir, 'checks.json')));
      assert.deepEqual(
        Object.keys(state.checks).sort(),
        [...HANDED].sort(),
        'invented ids are not kept in check history',
      );
      assert.equal(state.checks['gamma/backups.md'].status, 'unknown');

      const status = await run(['status'], sb, 30_000);
      assert.equal(status.code, 0);
      assert.match(status.stdout, /gamma\/backups\.md +UNKNOWN .*not reported by the agent/);
      assert.match(status.stdout, /alpha\/http\/web\.md +HEALTHY .* 100% +100% +100%/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('gates playbooks by the tier the manifest names, and keeps a "never modify" repo unchanged, by their effect', async () => {
    const down = verdict({
      status: 'unhealthy',
      summary: 'web is down',
      escalate: true,
      checks: [
        entry('alpha/http/web.md', 'unhealthy', { detail: '502' }),
        ...HANDED.slice(3)
          .filter((id) => id !== 'alpha/http/web.md')
          .map((id) => entry(id)),
      ],
    });
    let repos!: Record<'alpha' | 'beta' | 'gamma', string>;
    const attempts = () => [
      toolUse('Read', { file_path: path.join(repos.alpha, '.claude-ops/playbooks/redeploy-web.md') }),
      toolUse('Bash', {
        command: `cat ${path.join(repos.alpha, '.claude-ops/playbooks/redeploy-web.md')}`,
        description: 'read the tier-3 playbook',
      }),
      toolUse('Bash', {
        command: `echo x > ${repos.alpha}/pwned-by-bash; ls ${repos.alpha}`,
        description: 'write into the read-only repo',
      }),
      toolUse('Write', { file_path: `${repos.alpha}/pwned-by-write`, content: 'x' }),
      toolUse('Bash', {
        command: `echo ok > ${repos.beta}/written-by-bash && cat ${path.join(repos.beta, '.claude-ops/playbooks/restart-cache.md')}`,
        description: 'positive control',
      }),
      toolUse('Read', { file_path: path.join(repos.beta, '.claude-ops/playbooks/restart-cache.md') }),
      verdict({
        status: 'unhealthy',
        summary: 'web needs its playbook',
        escalate: false,
        checks: [entry('alpha/http/web.md', 'unhealthy')],
      }),
    ];
    const api = new FakeApi(byModel({ haiku: [down], sonnet: [] }));
    const sb = sandbox(await api.start(), {});
    repos = threeRepos(sb);
    sb.env.CLAUDEOPS_TIER2_WRITABLE = `${repos.alpha},${repos.beta}`;
    // Repo roots hold what the daemon reads (.claude-ops/): writable only when named so.
    sb.env.CLAUDEOPS_WRITABLE_CONFIG_OK = sb.env.CLAUDEOPS_TIER2_WRITABLE;
    api.script = byModel({ haiku: [down], sonnet: attempts() });
    try {
      const r = await run(['once'], sb, 180_000);
      assert.equal(r.code, 1, r.stdout.slice(-2000));
      const t2 = api.messages.filter((m) => String(m.body.model).includes('sonnet'));
      assert.equal(t2.length, 7);
      const prompt = userText(t2[0]!);
      assert.match(
        prompt,
        /## Playbooks you may run\n- `[^`]*beta\/\.claude-ops\/playbooks\/restart-cache\.md` · Restart the cache \(repo beta, tier 2\+\)/,
      );
      assert.match(prompt, /## Playbooks above tier 2[\s\S]*redeploy-web\.md` · Redeploy web \(needs tier 3\)/);
      const result = (i: number) => lastToolResult(t2[i + 1] as RecordedRequest) ?? '';
      assert.ok(!result(0).includes('ALPHA-PLAYBOOK-CONTENT'), `Read returned the tier-3 playbook: ${result(0)}`);
      assert.ok(!result(1).includes('ALPHA-PLAYBOOK-CONTENT'), `cat returned the tier-3 playbook: ${result(1)}`);
      assert.ok(!fs.existsSync(path.join(repos.alpha, 'pwned-by-bash')), 'a Bash write reached the read-only repo');
      assert.ok(!fs.existsSync(path.join(repos.alpha, 'pwned-by-write')), 'the Write tool reached the read-only repo');
      assert.equal(
        read(path.join(repos.beta, 'written-by-bash')).trim(),
        'ok',
        'positive control: the writable repo without the rule was written',
      );
      assert.ok(
        result(4).includes('BETA-PLAYBOOK-CONTENT') && result(5).includes('BETA-PLAYBOOK-CONTENT'),
        'positive control: the tier-2 playbook is readable',
      );
      const [s] = cycleSummaries(sb.resultsDir);
      assert.ok(s.tiers[1].containment.writable.includes(repos.alpha));
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('validate lints the checks', () => {
  it('names every problem with its file and line, and does not hang on a FIFO or read a huge file', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), { CLAUDEOPS_CHECKS_DISABLE: 'nope/*' });
    const dir = sb.addRepo('ops', {
      '.claude-ops/checks/untitled.md': `Just some text.\n\n- Service: web-frontend\n\n${section('curl x', '200')}`,
      '.claude-ops/checks/no-how.md': '# No how\n\n- Service: Web_Frontend\n\n## Healthy when\n200\n',
      '.claude-ops/checks/no-healthy.md':
        '# No healthy\n\n- Service: web-frontend\n- Failure threshold: lots\n\n## How\ncurl x\n',
      '.claude-ops/checks/huge.md': `# Huge\n${'x'.repeat(300 * 1024)}\n`,
    });
    assert.equal(spawnSync('mkfifo', [path.join(dir, '.claude-ops/checks/fifo.md')]).status, 0);
    try {
      const r = await run(['validate'], sb, 60_000);
      assert.equal(r.code, 2, r.stdout);
      const checks = path.join(dir, '.claude-ops/checks');
      assert.ok(r.stdout.includes(`check ${checks}/untitled.md:1: no title`), r.stdout);
      assert.ok(r.stdout.includes(`check ${checks}/no-how.md: no "How" section`), r.stdout);
      assert.ok(r.stdout.includes(`check ${checks}/no-healthy.md: no "Healthy when" section`), r.stdout);
      assert.ok(
        r.stdout.includes(
          `check ${checks}/no-healthy.md:4: "Failure threshold: lots" is not a whole number from 1 to 100`,
        ),
        r.stdout,
      );
      assert.match(
        r.stdout,
        /no-how\.md:3: service "Web_Frontend" is spelled "web-frontend" in .*(untitled|no-healthy)\.md/,
      );
      assert.ok(
        r.stdout.includes(`check ${checks}/huge.md: not read: it is 307208 bytes, over the 262144-byte limit`),
        r.stdout,
      );
      assert.ok(r.stdout.includes(`check ${checks}/fifo.md: not read: it is not a regular file`), r.stdout);
      assert.match(r.stdout, /CLAUDEOPS_CHECKS_DISABLE: "nope\/\*" matches no check id/);
      assert.match(r.stdout, /ops\/no-how\.md +No how · service Web_Frontend · severity unset/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});
