// What is particular to the OpenAI Codex CLI: its flags, validate's report, and how a
// run is put to it (the strict verdict schema, the prompt). The provider-neutral cases
// run for it in providers.test.ts, and its containment in containment.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CODEX_FLAGS } from '../../src/provider/codex/command.js';
import { FakeApi, byModel } from '../fake-api.js';
import { FakeOpenAi, answer, callOutputs, command, inputText, type OpenAiReply } from '../fake-openai.js';
import { ROOT, cycleSummaries, read, run, sandbox, type Sandbox } from '../harness.js';

const CODEX = path.join(ROOT, 'node_modules', '.bin', 'codex');
const OPENAI_KEY = 'sk-openai-test-PLANTED-SECRET-4b3a2918';
const LINK_SECRET = 'link-secret-PLANTED-0123456789abcdef0123456789';
const webCheck = '# Web\n\n- Service: web\n\n## How\ncurl http://web/\n\n## Healthy when\n200\n';
const healthy = answer({
  status: 'healthy',
  summary: 'web answers 200.',
  escalate: false,
  checks: [{ id: 'site/web.md', status: 'healthy', detail: '200' }],
});

/** A cycle with tier 1 (and any tier named) on Codex. */
async function cycle(
  script: (world: string) => OpenAiReply[],
  env: Record<string, string> = {},
  setup?: (sb: Sandbox, world: string) => void,
  claude?: FakeApi,
) {
  let replies: OpenAiReply[] = [];
  const openai = new FakeOpenAi(
    (_req, n) => replies[n] ?? answer({ status: 'healthy', summary: 'script exhausted', escalate: false }),
  );
  const anthropic = claude ?? new FakeApi(byModel({}));
  const sb = sandbox(await anthropic.start(), {
    OPENAI_API_KEY: OPENAI_KEY,
    CLAUDEOPS_APPROVAL_SECRET: LINK_SECRET,
    OPENAI_BASE_URL: await openai.start(),
    CLAUDEOPS_CODEX_BIN: CODEX,
    CLAUDEOPS_TIER1_PROVIDER: 'codex',
    CLAUDEOPS_TIER1_MODEL: 'gpt-5-mini',
    CLAUDEOPS_MAX_TIER: '1',
    ...env,
  });
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

describe('the Codex CLI in particular', () => {
  it('knows every flag the builder passes to codex exec', () => {
    const help = execFileSync(CODEX, ['exec', '--help'], { encoding: 'utf8' });
    for (const flag of CODEX_FLAGS) assert.ok(help.includes(flag), `codex exec --help no longer lists ${flag}`);
  });

  it('validate reports each configured provider’s binary and version, the tiers on it, and a model it has no price for', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), {
      OPENAI_API_KEY: OPENAI_KEY,
      CLAUDEOPS_APPROVAL_SECRET: LINK_SECRET,
      CLAUDEOPS_CODEX_BIN: CODEX,
      CLAUDEOPS_TIER1_PROVIDER: 'codex',
      CLAUDEOPS_TIER1_MODEL: 'gpt-5-mini',
      CLAUDEOPS_TIER2_PROVIDER: 'codex',
      CLAUDEOPS_TIER2_MODEL: 'gpt-9-unpriced',
    });
    try {
      const r = await run(['validate'], sb, 60_000);
      assert.match(r.stdout, /codex +\S+\/codex codex-cli 0\.169\.0 \(tiers 1, 2\)/);
      assert.match(r.stdout, /claude +\S+ 2\.1\.\d+ \(Claude Code\) \(tier 3\)/);
      assert.match(
        r.stdout,
        /note: tier 2 \(codex\): no price is known for model gpt-9-unpriced .*CLAUDEOPS_DAILY_BUDGET_USD/,
      );
      assert.doesNotMatch(r.stdout, /note: tier 1 \(codex\)/);
      assert.ok(!r.stdout.includes(OPENAI_KEY));
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('puts the checks and the environment in the prompt, the verdict schema in strict form, and no key in the run’s files', async () => {
    const { openai, sb, result, summary } = await cycle(() => [command('echo codex-was-here'), healthy]);
    try {
      assert.equal(result.code, 0, result.stdout.slice(-3000));
      const t1 = summary.tiers[0];
      const [first, second] = openai.requests;
      assert.match(inputText(first!), /id `site\/web\.md`/);
      assert.match(inputText(first!), /Environment: CLAUDEOPS_TIER=1/);
      // The runbook, as Codex reads a project's instructions: AGENTS.md in its working directory.
      assert.match(inputText(first!), /AGENTS\.md[\s\S]*# Runbook for the claudeops agent/);
      assert.equal(first!.body.text.format.type, 'json_schema');
      assert.deepEqual(first!.body.text.format.schema.required.sort(), [
        'checks',
        'escalate',
        'findings',
        'proposals',
        'remediations',
        'status',
        'summary',
      ]);
      assert.match(callOutputs(second!).join('\n'), /codex-was-here/);
      for (const file of [t1.logFile, t1.eventsFile])
        assert.ok(!read(path.join(sb.resultsDir, file)).includes(OPENAI_KEY), `${file} holds the OpenAI key`);
      // The key went to the API, as the CLI's own credential, and nowhere the agent could see it.
      assert.equal(openai.requests.length, 2);
    } finally {
      sb.cleanup();
    }
  });
});
