import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseCheckFile } from '../checks/check-file.js';
import type { CheckDef, CheckSet } from '../checks/check-set.js';
import { loadConfig } from '../config/config.js';
import type { McpCatalog } from '../mcp/catalog.js';
import { planTier, type PlanInput } from './plan.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-plan-'));
const config = (env: Record<string, string> = {}) =>
  loadConfig(
    { ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_RESULTS_DIR: '/results', CLAUDEOPS_STATE_DIR: '/state', ...env },
    dir,
  ).config;
const check = (name: string): CheckDef => ({
  id: `site/${name}.md`,
  repo: 'site',
  file: `/repos/site/${name}.md`,
  title: name,
  services: [name],
  parsed: parseCheckFile(`# ${name}`),
});
const skill = (name: string, tier: number) => ({
  repo: 'site',
  name: `site-${name}`,
  source: `/repos/site/skills/${name}`,
  kind: 'dir' as const,
  main: 'SKILL.md',
  tier,
});
const checks: CheckSet = {
  checks: [check('web'), check('db')],
  disabled: [],
  unmatchedDisable: [],
  otherInstances: [],
  playbooks: [],
  skills: [skill('look', 1), skill('fix', 3)],
  manifests: [],
  repoDirs: Object.assign(Object.create(null), { site: '/repos/site' }) as Record<string, string>,
  problems: [],
  notes: [],
};
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  config: config(),
  tier: 1,
  mcp: { servers: [], entries: {}, catalog: Object.create(null) as McpCatalog },
  checks,
  sandbox: { ok: true },
  handoff: '',
  texts: { prompt: 'Check everything.\n\n\n' },
  modelWarnings: [],
  ...over,
});

describe('planning a tier run', () => {
  it('builds the prompt from the prompt text and the checks handed out, and the instructions from the context', () => {
    const p = planTier(input({ handoff: 'Tier 1 found: web is down.' }));
    assert.equal(p.refusal, undefined);
    assert.match(p.prompt, /^Check everything\.\n\n/);
    assert.match(p.prompt, /site\/web\.md/);
    assert.match(p.prompt, /site\/db\.md/);
    assert.match(p.instructions, /^Environment: CLAUDEOPS_TIER=1 /);
    assert.match(p.instructions, /\n\nTier 1 found: web is down\./);
    assert.equal(p.systemPrompt, undefined);
    assert.equal(p.model, config().tiers[1].model);
  });

  it('hands a shard only its own checks', () => {
    const p = planTier(input({ shard: { index: 2, of: 2, checks: [check('db')] } }));
    assert.match(p.prompt, /site\/db\.md/);
    assert.doesNotMatch(p.prompt, /site\/web\.md/);
  });

  it('gives the run only the skills of its tier, and trims a system prompt', () => {
    const p = planTier(input({ texts: { prompt: 'x', systemPrompt: '  Be brief.\n' } }));
    assert.deepEqual(
      p.skills.map((s) => s.name),
      ['site-look'],
    );
    assert.equal(p.systemPrompt, 'Be brief.');
  });

  it('refuses to start when a prompt file could not be read, or the sandbox is required and missing', () => {
    assert.deepEqual(planTier(input({ texts: { error: 'prompt file gone' } })).refusal, {
      exitClass: 'config',
      error: 'prompt file gone',
    });
    const p = planTier(
      input({ config: config({ CLAUDEOPS_SANDBOX: 'required' }), sandbox: { ok: false, why: 'no bwrap' } }),
    );
    assert.equal(p.refusal?.exitClass, 'sandbox');
    assert.equal(p.containment.sandboxed, false);
  });

  it('puts the policy, sandbox and model warnings in the containment, with nothing refused yet', () => {
    const p = planTier(input({ modelWarnings: ['no price known for this model'] }));
    assert.equal(p.containment.readOnly, true);
    assert.equal(p.containment.sandboxed, true);
    assert.equal(p.containment.egressRefused, 0);
    assert.ok(p.containment.warnings.includes('no price known for this model'));
  });
});
