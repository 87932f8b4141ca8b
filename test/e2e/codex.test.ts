// Tiers on the OpenAI Codex CLI: the real, pinned binary from npm against the
// project's fake Responses API, with the guarantees checked by their effect.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CODEX_FLAGS } from '../../src/provider/codex/command.js';
import { FakeApi, byModel, systemText, verdict } from '../fake-api.js';
import { FakeOpenAi, answer, callOutputs, command, inputText, type OpenAiReply } from '../fake-openai.js';
import { API_KEY, ROOT, cycleSummaries, mcpConfig, read, run, sandbox, type Sandbox } from '../harness.js';

const CODEX = path.join(ROOT, 'node_modules', '.bin', 'codex');
const OPENAI_KEY = 'sk-openai-test-PLANTED-SECRET-4b3a2918';
const LINK_SECRET = 'link-secret-PLANTED-0123456789abcdef0123456789';
const webCheck = '# Web\n\n- Service: web\n\n## How\ncurl http://web/\n\n## Healthy when\n200\n';
const healthy = answer({ status: 'healthy', summary: 'web answers 200.', escalate: false, checks: [{ id: 'site/web.md', status: 'healthy', detail: '200' }] });

/** A cycle with tier 1 (and any tier named) on Codex. */
async function cycle(script: (world: string) => OpenAiReply[], env: Record<string, string> = {}, setup?: (sb: Sandbox, world: string) => void, claude?: FakeApi) {
  let replies: OpenAiReply[] = [];
  const openai = new FakeOpenAi((_req, n) => replies[n] ?? answer({ status: 'healthy', summary: 'script exhausted', escalate: false }));
  const anthropic = claude ?? new FakeApi(byModel({}));
  const sb = sandbox(await anthropic.start(), { OPENAI_API_KEY: OPENAI_KEY, CLAUDEOPS_APPROVAL_SECRET: LINK_SECRET, OPENAI_BASE_URL: await openai.start(), CLAUDEOPS_CODEX_BIN: CODEX, CLAUDEOPS_TIER1_PROVIDER: 'codex', CLAUDEOPS_TIER1_MODEL: 'gpt-5-mini', CLAUDEOPS_MAX_TIER: '1', ...env });
  const world = path.join(sb.root, 'world');
  fs.mkdirSync(world);
  sb.addRepo('site', { '.claude-ops/checks/web.md': webCheck });
  replies = script(world);
  setup?.(sb, world);
  const result = await run(['once'], sb, 150_000);
  await openai.stop();
  await anthropic.stop();
  return { openai, anthropic, sb, world, result, summary: cycleSummaries(sb.resultsDir)[0] };
}

/** Processes still running with the test's HOME: whatever the run left behind. */
function leftovers(sb: Sandbox): number[] {
  const needle = Buffer.from(`HOME=${path.join(sb.root, 'home')}\0`);
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`).includes(needle);
    } catch {
      return false;
    }
  }).map(Number);
}

describe('tiers on the Codex CLI', () => {
  it('knows every flag the builder passes to codex exec', () => {
    const help = execFileSync(CODEX, ['exec', '--help'], { encoding: 'utf8' });
    for (const flag of CODEX_FLAGS) assert.ok(help.includes(flag), `codex exec --help no longer lists ${flag}`);
  });

  it('validate reports each configured provider’s binary and version, and the tiers on it', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), { OPENAI_API_KEY: OPENAI_KEY, CLAUDEOPS_APPROVAL_SECRET: LINK_SECRET, CLAUDEOPS_CODEX_BIN: CODEX, CLAUDEOPS_TIER1_PROVIDER: 'codex', CLAUDEOPS_TIER1_MODEL: 'gpt-5-mini' });
    try {
      const r = await run(['validate'], sb, 60_000);
      assert.match(r.stdout, /codex +\S+\/codex codex-cli 0\.169\.0 \(tier 1\)/);
      assert.match(r.stdout, /claude +\S+ 2\.1\.\d+ \(Claude Code\) \(tiers 2, 3\)/);
      assert.ok(!r.stdout.includes(OPENAI_KEY));
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('runs tier 1: a command in its sandbox, a verdict through --output-schema, the cost from its usage, no secret in reach', async () => {
    const { openai, sb, result, summary } = await cycle(() => [command('echo codex-was-here; env'), healthy]);
    try {
      assert.equal(result.code, 0, result.stdout.slice(-3000));
      const t1 = summary.tiers[0];
      assert.deepEqual([t1.exitClass, t1.containment.sandboxed, t1.containment.readOnly], ['ok', true, true]);
      assert.equal(summary.checks[0].status, 'healthy');
      assert.ok(t1.costUsd > 0, 'priced from the reported usage');
      assert.equal(t1.toolsUsed.Bash, 1);
      const [first, second] = openai.requests;
      assert.match(inputText(first!), /id `site\/web\.md`/);
      assert.match(inputText(first!), /Environment: CLAUDEOPS_TIER=1/);
      assert.equal(first!.body.text.format.type, 'json_schema');
      assert.deepEqual(first!.body.text.format.schema.required.sort(), ['checks', 'escalate', 'findings', 'proposals', 'remediations', 'status', 'summary']);
      const output = callOutputs(second!).join('\n');
      assert.match(output, /codex-was-here/);
      assert.match(output, /HOME=/, 'the env listing came back');
      for (const secret of [OPENAI_KEY, API_KEY, LINK_SECRET]) assert.ok(!output.includes(secret), 'the agent’s command saw a secret');
      const story = read(path.join(sb.resultsDir, t1.logFile));
      assert.match(story, /tool {5}Bash \$ .*echo codex-was-here/);
      assert.match(story, /check {4}\[healthy\] site\/web\.md: 200/);
      assert.doesNotMatch(read(path.join(sb.resultsDir, t1.eventsFile)), new RegExp(OPENAI_KEY));
    } finally {
      sb.cleanup();
    }
  });

  it('keeps tier 1 and dry run read-only: scripted writes have no effect, while tier 2 without dry run writes its path', async () => {
    const escalate = answer({ status: 'unhealthy', summary: 'web is down', escalate: true, checks: [{ id: 'site/web.md', status: 'unhealthy' }] });
    const done = answer({ status: 'unhealthy', summary: 'tried', escalate: false });
    const env = { CLAUDEOPS_TIER2_PROVIDER: 'codex', CLAUDEOPS_TIER2_MODEL: 'gpt-5-mini', CLAUDEOPS_MAX_TIER: '2', CLAUDEOPS_APPROVAL: 'none' };
    const script = (w: string) => [command(`touch ${w}/by-tier1`), escalate, command(`touch ${w}/by-tier2`), done];
    const writable = (sb: Sandbox, world: string) => void (sb.env.CLAUDEOPS_TIER2_WRITABLE = world);
    const dry = await cycle(script, { ...env, CLAUDEOPS_DRY_RUN: 'true' }, writable);
    try {
      assert.equal(dry.summary.tiers.length, 2, dry.result.stdout.slice(-3000));
      assert.ok(dry.summary.tiers.every((t: any) => t.containment.readOnly && t.exitClass === 'ok'));
      assert.match(callOutputs(dry.openai.requests[1]!).join('\n'), /Read-only file system/);
      assert.deepEqual(fs.readdirSync(dry.world), [], 'nothing written in tier 1 or in dry run');
    } finally {
      dry.sb.cleanup();
    }
    const live = await cycle(script, env, writable);
    try {
      assert.equal(live.summary.tiers[1].containment.readOnly, false);
      assert.deepEqual(fs.readdirSync(live.world), ['by-tier2'], 'tier 2 may write its path; tier 1 still may not');
    } finally {
      live.sb.cleanup();
    }
  });

  it('gets an MCP server’s real answer, with only its read-only tools enabled in tier 1', async () => {
    const { openai, sb, summary } = await cycle(() => [{ kind: 'call', name: 'probe_status', namespace: 'mcp__probe', args: { target: 'web' } }, healthy], {}, (sb) => sb.addRepo('ops', { '.claude-ops/mcp.json': mcpConfig('probe') }));
    try {
      assert.equal(summary.tiers[0].exitClass, 'ok');
      const offered = openai.requests[0]!.body.tools.find((t: any) => t.name === 'mcp__probe');
      assert.deepEqual(offered.tools.map((t: any) => t.name), ['probe_status']);
      assert.match(callOutputs(openai.requests[1]!).join('\n'), /probe says web is OK \(server pid \d+\)/);
      assert.equal(summary.tiers[0].toolsUsed.mcp__probe__probe_status, 1);
    } finally {
      sb.cleanup();
    }
  });

  it('stops a run that outlives CLAUDEOPS_TIMEOUT, with everything it started', async () => {
    const { sb, summary, result } = await cycle(() => [command('(sleep 600 &) ; echo started'), { kind: 'hang' }], { CLAUDEOPS_TIMEOUT: '10' });
    try {
      assert.equal(summary.tiers[0].exitClass, 'timeout', result.stdout.slice(-2000));
      assert.deepEqual(leftovers(sb), []);
    } finally {
      sb.cleanup();
    }
  });

  it('escalates from a Codex tier 1 to a Claude tier 2 with the findings', async () => {
    const claude = new FakeApi(byModel({ sonnet: [verdict({ status: 'healthy', summary: 'Restarted web.', escalate: false, checks: [{ id: 'site/web.md', status: 'healthy' }] })] }));
    const down = answer({ status: 'unhealthy', summary: 'web answers 502.', escalate: true, checks: [{ id: 'site/web.md', status: 'unhealthy' }], findings: 'upstream refused on 10.0.0.7:8080' });
    const { sb, summary } = await cycle(() => [down], { CLAUDEOPS_MAX_TIER: '2' }, undefined, claude);
    try {
      assert.deepEqual(summary.tiers.map((t: any) => [t.tier, t.exitClass]), [[1, 'ok'], [2, 'ok']]);
      const handoff = systemText(claude.messages[0]!);
      assert.match(handoff, /web answers 502\./);
      assert.match(handoff, /upstream refused on 10\.0\.0\.7:8080/);
      assert.equal(summary.status, 'healthy');
    } finally {
      sb.cleanup();
    }
  });
});
