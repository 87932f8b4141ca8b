import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  FakeApi,
  byModel,
  lastToolResult,
  status,
  systemText,
  text,
  toolNames,
  toolUse,
  userText,
  verdict,
} from '../fake-api.js';
import { API_KEY, allText, files, mcpConfig, read, run, sandbox, verdictOf, type Sandbox } from '../harness.js';

const TIER1_TOOLS = ['Bash', 'Read', 'Grep', 'Glob', 'WebFetch'];

describe('claudeops once against the real CLI', () => {
  let api: FakeApi;
  let sb: Sandbox;
  let result: Awaited<ReturnType<typeof run>>;

  before(async () => {
    api = new FakeApi(
      byModel({
        haiku: [
          toolUse('mcp__probe__probe_status', { target: 'web' }, 'Checking the probe first.'),
          verdict(
            verdictOf('healthy', { checks: [{ id: 'infra/web.md', status: 'healthy', service: 'web' }] }),
            'All good.',
          ),
        ],
      }),
    );
    sb = sandbox(await api.start());
    sb.addRepo('infra', {
      '.claude-ops/mcp.json': mcpConfig('probe'),
      '.claude-ops/checks/web.md': '# Web\n\nCheck the web.\n',
    });
    result = await run(['once'], sb, 120_000);
  });
  after(async () => {
    await api.stop();
    sb.cleanup();
  });

  it('exits 0 for a healthy verdict', () => {
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  it('asks for the tier-1 model', () => {
    assert.ok(api.messages.length >= 2);
    for (const r of api.messages) assert.equal(r.body.model, 'claude-haiku-4-5-20251001');
  });

  it('puts every ENV_CONTEXT key in the system prompt, and no Apprise key when unset', () => {
    const sys = systemText(api.messages[0]!);
    const env = sys.slice(sys.indexOf('Environment: '));
    assert.ok(sys.includes('Environment: '), 'no Environment line');
    for (const key of [
      'CLAUDEOPS_DRY_RUN=false',
      'CLAUDEOPS_STATE_DIR=' + sb.stateDir,
      'CLAUDEOPS_RESULTS_DIR=' + sb.resultsDir,
      'CLAUDEOPS_REPOS_DIR=' + sb.reposDir,
      'CLAUDEOPS_TIER2_MODEL=sonnet',
      'CLAUDEOPS_TIER3_MODEL=opus',
    ]) {
      assert.ok(env.includes(key), `missing ${key} in ${env.slice(0, 400)}`);
    }
    assert.ok(!sys.includes('CLAUDEOPS_APPRISE_URLS'));
  });

  it('offers exactly the tier-1 tools, StructuredOutput and the repo MCP tool: no Edit or Write', () => {
    const tools = toolNames(api.messages[0]!);
    const builtin = tools.filter((t) => !t.startsWith('mcp__')).sort();
    assert.deepEqual(builtin, [...TIER1_TOOLS, 'StructuredOutput'].sort());
    assert.ok(tools.includes('mcp__probe__probe_status'), `tools: ${tools}`);
    assert.ok(!tools.includes('Edit') && !tools.includes('Write'));
  });

  it('sends the prompt file as the user message', () => {
    const prompt = read(path.join(sb.appDir, 'prompts', 'tier1-observe.md'));
    assert.ok(userText(api.messages[0]!).includes(prompt.trim()));
  });

  it('runs the repo MCP server for real: the tool result is the server’s answer', () => {
    const answer = lastToolResult(api.messages[1]!);
    assert.match(answer ?? '', /probe says web is OK \(server pid \d+\)/);
  });

  it('writes the story log and the raw events', () => {
    const names = files(sb.resultsDir);
    const log = names.find((n) => /^run-\d{8}-\d{6}-tier1\.log$/.test(n));
    const jsonl = names.find((n) => /^run-\d{8}-\d{6}-tier1\.jsonl$/.test(n));
    assert.ok(log && jsonl, `files: ${names}`);
    const story = read(path.join(sb.resultsDir, log));
    assert.match(story, /tier 1 \(observe\)/);
    assert.match(story, /says +Checking the probe first\./);
    assert.match(story, /tool +mcp__probe__probe_status/);
    assert.match(story, /result +probe says web is OK/);
    assert.match(story, /VERDICT +HEALTHY: All checks pass\./);
    assert.match(story, /--- end · ok · cost \$/);
    const events = read(path.join(sb.resultsDir, jsonl))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(events[0].type, 'system');
    assert.equal(events.at(-1).type, 'result');
    assert.ok(events.some((e) => e.type === 'assistant'));
  });

  it('prints the story to stdout as well', () => {
    assert.match(result.stdout, /"tier":1,"kind":"VERDICT","msg":"[^"]*VERDICT +HEALTHY/);
  });

  it('never writes the API key to any file', () => {
    for (const { file, text: t } of [...allText(sb.resultsDir), ...allText(sb.stateDir)])
      assert.ok(!t.includes(API_KEY), `secret in ${file}`);
    assert.ok(!result.stdout.includes(API_KEY));
  });
});

describe('output on a terminal', () => {
  it("is pretty, and the daemon's lines and the story stay in order", async () => {
    const api = new FakeApi(
      byModel({ haiku: [toolUse('Bash', { command: 'echo ok' }), verdict(verdictOf('healthy'))] }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_LOG_PRETTY: 'true' });
    try {
      const r = await run(['once'], sb, 120_000);
      assert.equal(r.code, 0, r.stdout);
      assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('{')), 'no JSON line on a terminal');
      const at = (pattern: RegExp) => r.stdout.split('\n').findIndex((l) => pattern.test(l));
      const order = [
        /cycle started/,
        /\[tier1\] === claudeops tier 1/,
        /\[tier1\] .*tool +Bash \$ echo ok/,
        /\[tier1\] .*VERDICT +HEALTHY/,
        /\[tier1\] --- end/,
        /tier 1 ended: healthy/,
        /cycle ended healthy/,
      ].map(at);
      assert.ok(
        order.every((i) => i >= 0),
        `missing lines: ${order}\n${r.stdout}`,
      );
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        order,
        `out of order:\n${r.stdout}`,
      );
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('claudeops once exit codes', () => {
  const cases: { name: string; replies: ReturnType<typeof text>[]; code: number; log: RegExp }[] = [
    { name: 'unhealthy verdict', replies: [verdict(verdictOf('unhealthy'))], code: 1, log: /VERDICT +UNHEALTHY/ },
    { name: 'API error (401)', replies: [status(401, 'invalid x-api-key')], code: 3, log: /FAILED +auth/ },
    {
      name: 'no verdict',
      replies: [text('I looked around.'), text('Still nothing to say.')],
      code: 3,
      log: /FAILED +no_verdict/,
    },
  ];
  for (const c of cases) {
    it(`${c.name} → exit ${c.code}`, async () => {
      const api = new FakeApi(byModel({ haiku: c.replies }));
      const sb = sandbox(await api.start());
      try {
        const r = await run(['once'], sb, 120_000);
        assert.equal(r.code, c.code, r.stdout + r.stderr);
        const log = files(sb.resultsDir).find((n) => n.endsWith('-tier1.log'))!;
        assert.match(read(path.join(sb.resultsDir, log)), c.log);
      } finally {
        await api.stop();
        sb.cleanup();
      }
    });
  }

  it('invalid configuration → exit 2 with every problem listed', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_INTERVAL: 'soon',
      CLAUDEOPS_MAX_TIER: '7',
      ANTHROPIC_API_KEY: '',
      CLAUDEOPS_TIER2_TOOLS: 'Bash,Raed,Grep',
    });
    try {
      const r = await run(['once'], sb, 30_000);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /CLAUDEOPS_INTERVAL="soon": expected a whole number of seconds/);
      assert.match(r.stderr, /CLAUDEOPS_MAX_TIER="7": expected a whole number from 1 to 3/);
      assert.match(r.stderr, /ANTHROPIC_API_KEY is unset/);
      assert.match(
        r.stderr,
        /CLAUDEOPS_TIER2_TOOLS="Bash,Raed,Grep": unknown tool name\(s\): Raed; expected a comma-separated list of Claude Code tool names \(Bash, Read/,
      );
      assert.equal(api.messages.length, 0);
      assert.ok(!fs.existsSync(sb.resultsDir));
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});
