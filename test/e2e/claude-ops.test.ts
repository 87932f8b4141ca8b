// A repo written the way claude-ops's authors write theirs works as they meant it:
// each file's tier, id and treatment, the tier-3-only playbook kept from tier 2 by its
// effect, skills gated by their tier, the whole manifest in the prompt, and a check
// whose "When to Run" does not hold recorded as not applicable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { discoverChecks } from '../../src/checks/discover.js';
import { CLAUDE_OPS_REPO } from '../fixtures/claude-ops-tree.js';
import {
  FakeApi,
  byModel,
  lastToolResult,
  systemText,
  toolUse,
  userText,
  verdict,
  type RecordedRequest,
} from '../fake-api.js';
import { cycleSummaries, read, run, sandbox } from '../harness.js';

const HTTP = 'ops/http.md';
const SERVICES = 'ops/services.md';
const notApplicable = { id: SERVICES, status: 'not_applicable', detail: 'no service in the inventory has an API key' };

describe('a claude-ops repo, as its authors wrote it', () => {
  it('gives each file its tier, id and treatment, and says what it left alone and why', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start());
    const dir = sb.addRepo('ops', CLAUDE_OPS_REPO);
    try {
      const set = await discoverChecks({ appDir: sb.appDir, reposDir: sb.reposDir, disable: [] });
      assert.deepEqual(
        set.checks.map((c) => c.id),
        [HTTP, SERVICES],
        'checks at the repo root are not read',
      );
      assert.deepEqual(
        set.playbooks.map((p) => [path.basename(p.file), p.tier]),
        [
          ['redeploy-service.md', 3],
          ['restart-container.md', 2],
          ['rotate-key.md', 3],
        ],
      );
      assert.deepEqual(
        set.skills.map((s) => [s.name, s.kind, s.main, s.tier]),
        [
          ['ops-container-health', 'file', 'container-health.md', 1],
          ['ops-container-ops', 'file', 'container-ops.md', 2],
          ['ops-log-digest', 'dir', 'skill.md', 1],
        ],
      );
      const rel = (f: string) => path.relative(dir, f);
      assert.deepEqual(
        set.problems.map((p) => `${rel(p.file)}:${p.line}`),
        ['.claude-ops/playbooks/rotate-key.md:6'],
      );
      assert.deepEqual(
        set.notes.map((n) => rel(n.file)),
        [
          '.claude-ops/skills/SKILL-TEMPLATE.md',
          '.claude-ops/skills/empty-folder',
          '.claude-ops/skills/release.md',
          'checks',
          'playbooks',
          'skills',
          '.claude/skills',
        ],
      );
      assert.match(set.manifests[0]!.text, /## Kind[\s\S]*## Capabilities[\s\S]*INVENTORY-MARK[\s\S]*## Rules/);

      const r = await run(['validate'], sb, 60_000);
      assert.equal(r.code, 2, r.stdout);
      assert.ok(
        r.stdout.includes(`check ${dir}/.claude-ops/playbooks/rotate-key.md:6: "Tier: Sonnet" does not say a tier`),
        r.stdout,
      );
      assert.match(r.stdout, /until it does, tiers 1 and 2 are not given this playbook/);
      assert.match(r.stdout, /playbook +.*redeploy-service\.md · tier 3\+/);
      assert.match(r.stdout, /skill +ops-container-ops · .*container-ops\.md · tier 2\+/);
      assert.match(r.stdout, /note: .*SKILL-TEMPLATE\.md: skipped: a template/);
      assert.match(r.stdout, /note: .*release\.md: skipped: its front matter makes it a command for a person/);
      assert.match(
        r.stdout,
        new RegExp(`note: ${dir}/checks: not read: the daemon reads a repo's checks from ops/\\.claude-ops/checks/`),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `note: ${dir}/\\.claude/skills: not read: the daemon reads a repo's skills from ops/\\.claude-ops/skills/`,
        ),
      );
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('keeps the tier-3-only playbook and the tier-2 skill from the tiers below, by their effect', async () => {
    let dir = '';
    const file = (rel: string) => path.join(dir, rel);
    const tier1 = verdict({
      status: 'unhealthy',
      summary: 'web is down',
      escalate: true,
      checks: [{ id: HTTP, status: 'unhealthy', detail: '502' }, notApplicable],
    });
    const tier2 = () => [
      toolUse('Read', { file_path: file('.claude-ops/playbooks/redeploy-service.md') }),
      toolUse('Bash', {
        command: `cat ${file('.claude-ops/playbooks/rotate-key.md')}`,
        description: 'read the playbook whose tier is unreadable',
      }),
      toolUse('Read', { file_path: file('.claude-ops/playbooks/restart-container.md') }),
      verdict({
        status: 'unhealthy',
        summary: 'web needs a redeploy',
        escalate: false,
        checks: [{ id: HTTP, status: 'unhealthy' }],
      }),
    ];
    const api = new FakeApi(byModel({ haiku: [tier1] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_MAX_TIER: '2' });
    dir = sb.addRepo('ops', CLAUDE_OPS_REPO);
    api.script = byModel({ haiku: [tier1], sonnet: tier2() });
    try {
      const r = await run(['once'], sb, 180_000);
      assert.equal(r.code, 1, r.stdout.slice(-2000));
      const [first] = api.messages;
      assert.match(
        systemText(first!),
        /### Repo ops[\s\S]*#### Kind[\s\S]*INVENTORY-MARK[\s\S]*#### Rules/,
        'the whole manifest reaches the agent',
      );
      const body1 = JSON.stringify(first!.body);
      assert.match(body1, /ops-container-health/);
      assert.match(body1, /ops-log-digest: Summarise the last hour of logs DIGEST-MARK/);
      for (const absent of ['ops-container-ops', 'RELEASE-MARK', 'TEMPLATE-MARK', 'ROOT-SKILL-MARK', 'DEV-SKILL-MARK'])
        assert.ok(!body1.includes(absent), `tier 1's request holds ${absent}`);

      const t2 = api.messages.filter((m) => String(m.body.model).includes('sonnet'));
      assert.equal(t2.length, 4);
      const prompt = userText(t2[0]!);
      const mayRun = /## Playbooks you may run\n((?:- .*\n?)*)/.exec(prompt)?.[1] ?? '';
      assert.match(mayRun, /restart-container\.md` · Playbook: Restart Container \(repo ops, tier 2\+\)/);
      assert.ok(!/redeploy-service|rotate-key/.test(mayRun), mayRun);
      assert.match(
        prompt,
        /## Playbooks above tier 2[\s\S]*redeploy-service\.md` · Playbook: Redeploy Service \(needs tier 3\)[\s\S]*rotate-key\.md` · Playbook: Rotate API Key \(needs tier 3\)/,
      );
      assert.match(JSON.stringify(t2[0]!.body), /ops-container-ops/);
      const result = (i: number) => lastToolResult(t2[i + 1] as RecordedRequest) ?? '';
      assert.ok(!result(0).includes('REDEPLOY-PLAYBOOK-MARK'), `Read returned the tier-3-only playbook: ${result(0)}`);
      assert.ok(
        !result(1).includes('ROTATE-PLAYBOOK-MARK'),
        `cat returned the playbook of unreadable tier: ${result(1)}`,
      );
      assert.ok(
        result(2).includes('RESTART-PLAYBOOK-MARK'),
        `positive control: the tier-2 playbook is readable: ${result(2)}`,
      );

      const [s] = cycleSummaries(sb.resultsDir);
      assert.equal(s.checks.find((c: { id: string }) => c.id === SERVICES).status, 'not_applicable');
      assert.ok(
        s.warnings.some((w: string) => w.includes('rotate-key.md:6') && w.includes('not given this playbook')),
        String(s.warnings),
      );
      assert.ok(
        s.warnings.some((w: string) => w.includes(`${dir}/playbooks: not read`)),
        String(s.warnings),
      );
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('records a check whose "When to Run" does not hold as not applicable, the cycle healthy, and takes a check that is gone off the overview', async () => {
    const api = new FakeApi(
      byModel({
        haiku: [
          verdict({
            status: 'healthy',
            summary: 'web answers; no API-key services here.',
            escalate: false,
            checks: [{ id: HTTP, status: 'healthy' }, notApplicable],
          }),
          verdict({
            status: 'healthy',
            summary: 'web answers.',
            escalate: false,
            checks: [{ id: HTTP, status: 'healthy' }],
          }),
        ],
      }),
    );
    const sb = sandbox(await api.start());
    const dir = sb.addRepo('ops', CLAUDE_OPS_REPO);
    try {
      const r = await run(['once'], sb, 120_000);
      assert.equal(r.code, 0, r.stdout.slice(-2000));
      assert.match(userText(api.messages[0]!), /`not_applicable`, with the reason/);
      const [s] = cycleSummaries(sb.resultsDir);
      assert.equal(s.status, 'healthy');
      const state = JSON.parse(read(path.join(sb.stateDir, 'checks.json')));
      assert.equal(state.checks[SERVICES].status, 'not_applicable');
      assert.deepEqual(state.checks[SERVICES].hours, [], 'no uptime sample: it was not judged good or bad');
      const status = await run(['status'], sb, 30_000);
      assert.match(
        status.stdout,
        /ops\/services\.md +NOT APPLICABLE .*not_applicable: no service in the inventory has an API key/,
      );

      fs.rmSync(path.join(dir, '.claude-ops/checks/services.md'));
      assert.equal((await run(['once'], sb, 120_000)).code, 0);
      const after = await run(['status'], sb, 30_000);
      assert.match(after.stdout, /ops\/http\.md +HEALTHY/);
      assert.ok(
        !/ops\/services\.md +[A-Z]/.test(after.stdout),
        `a check that is gone stays on the overview:\n${after.stdout}`,
      );
      assert.match(
        after.stdout,
        /removed: ops\/services\.md \(its file is no longer found, since .*; was not applicable\)/,
      );
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});
