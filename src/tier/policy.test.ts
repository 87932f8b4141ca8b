import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config.js';
import { BUILTIN_DENY, mcpAllowance, tierPolicy, WRITE_TOOLS } from './policy.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-policy-'));
const config = (env: Record<string, string> = {}) => loadConfig({ ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_RESULTS_DIR: '/results', ...env }, dir).config;

describe('tier policy', () => {
  it('keeps tier 1 read-only and denies mutating commands', () => {
    const p = tierPolicy(config(), 1, []);
    assert.ok(!p.tools.some((t) => WRITE_TOOLS.includes(t)));
    for (const rule of ['Bash(docker restart:*)', 'Bash(systemctl restart:*)', 'Bash(kubectl delete:*)', 'Bash(rm:*)']) assert.ok(p.deny.includes(rule), rule);
    assert.deepEqual(p.addDirs, []);
  });

  it('lets tier 2 edit and restart, but not delete or redeploy', () => {
    const p = tierPolicy(config(), 2, []);
    assert.ok(p.tools.includes('Edit') && p.tools.includes('Write'));
    assert.ok(!p.deny.includes('Bash(docker restart:*)'));
    assert.ok(p.deny.includes('Bash(rm:*)') && p.deny.includes('Bash(docker compose up:*)'));
    assert.deepEqual(p.addDirs, ['/results']);
  });

  it('lets tier 3 do everything but the catastrophic', () => {
    const p = tierPolicy(config(), 3, []);
    assert.deepEqual(p.deny, BUILTIN_DENY[3]);
    assert.ok(p.deny.includes('Bash(mkfs:*)') && !p.deny.includes('Bash(rm:*)'));
  });

  it('adds the operator’s deny rules to the built-in ones', () => {
    const p = tierPolicy(config({ CLAUDEOPS_TIER2_DENY: 'Bash(psql:*),mcp__db__drop_table' }), 2, ['db']);
    assert.ok(p.deny.includes('Bash(psql:*)') && p.deny.includes('mcp__db__drop_table') && p.deny.includes('Bash(rm:*)'));
  });

  it('in dry run strips write tools from every tier, applies tier 1’s deny rules and MCP allowance, and allows no extra directory', () => {
    const c = config({ CLAUDEOPS_DRY_RUN: 'true', CLAUDEOPS_TIER1_DENY: 'Bash(curl -X POST:*)', CLAUDEOPS_TIER1_MCP: 'mcp__metrics', CLAUDEOPS_TIER3_MCP: '*' });
    for (const tier of [2, 3] as const) {
      const p = tierPolicy(c, tier, ['metrics', 'deploy']);
      assert.ok(!p.tools.some((t) => WRITE_TOOLS.includes(t)), `tier ${tier}: ${p.tools}`);
      for (const rule of [...BUILTIN_DENY[1], 'Bash(curl -X POST:*)']) assert.ok(p.deny.includes(rule), `tier ${tier} lacks ${rule}`);
      assert.deepEqual(p.allowed.filter((a) => a.startsWith('mcp__')), ['mcp__metrics']);
      assert.deepEqual(p.addDirs, []);
    }
  });

  it('expands * to every merged MCP server and passes single tools through', () => {
    assert.deepEqual(mcpAllowance(['*'], ['a', 'b']), ['mcp__a', 'mcp__b']);
    assert.deepEqual(mcpAllowance(['mcp__a__read', 'b'], ['a', 'b']), ['mcp__a__read', 'mcp__b']);
    assert.deepEqual(mcpAllowance([], ['a']), []);
  });
});
