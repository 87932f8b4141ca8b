import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config/config.js';
import type { McpCatalog } from '../mcp/catalog.js';
import { claudeRules } from '../provider/claude/rules.js';
import { WRITE_TOOLS } from '../provider/claude/options.js';
import { BUILTIN_DENY, mcpAllowance, tierPolicy } from './policy.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-policy-'));
const config = (env: Record<string, string> = {}) =>
  loadConfig(
    { ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_RESULTS_DIR: '/results', CLAUDEOPS_STATE_DIR: '/state', ...env },
    dir,
  ).config;

const catalog = (): McpCatalog =>
  Object.assign(Object.create(null), {
    fs: {
      ok: true,
      tools: [
        { name: 'read_file', readOnly: true },
        { name: 'write_file', readOnly: false },
        { name: 'unannotated', readOnly: false },
      ],
    },
    broken: { ok: false, error: 'spawn nope ENOENT' },
  });

describe('tier policy', () => {
  it('keeps tier 1 read-only: no write tools, nowhere to write, mutating commands denied', () => {
    const p = tierPolicy(config({ CLAUDEOPS_TIER2_WRITABLE: '/srv/compose' }), 1, [], catalog());
    assert.ok(p.readOnly);
    assert.ok(!p.tools.some((t) => WRITE_TOOLS.includes(t)));
    assert.ok(!claudeRules(p).allowed.some((a) => WRITE_TOOLS.some((w) => a.startsWith(w))));
    for (const c of ['docker restart', 'systemctl restart', 'kubectl delete', 'rm'])
      assert.ok(p.deniedCommands.includes(c), c);
    assert.deepEqual(p.writable, []);
  });

  it('lets tier 2 write only its listed paths, by path-scoped rules, never by a bare Write', () => {
    const p = tierPolicy(config({ CLAUDEOPS_TIER2_WRITABLE: '/srv/compose' }), 2, [], catalog());
    assert.ok(!p.readOnly);
    assert.ok(p.tools.includes('Edit') && p.tools.includes('Write'));
    const { allowed, deny } = claudeRules(p);
    assert.ok(!allowed.includes('Write') && !allowed.includes('Edit'));
    assert.ok(allowed.includes('Write(//srv/compose/**)') && allowed.includes('Edit(//srv/compose/**)'));
    assert.deepEqual(p.writable, ['/srv/compose']);
    assert.ok(!p.deniedCommands.includes('docker restart') && !deny.includes('Bash(docker restart:*)'));
    assert.ok(deny.includes('Bash(rm:*)') && deny.includes('Bash(docker compose up:*)'));
  });

  it('holds the repos’ rules at every tier: a never-modify repo and playbooks above the tier, as deny rules and sandbox paths; skills add the Skill tool', () => {
    const repos = {
      readOnlyPaths: ['/repos/alpha'],
      hiddenPaths: ['/repos/alpha/.claude-ops/playbooks/redeploy.md'],
      skills: true,
    };
    const p = tierPolicy(config({ CLAUDEOPS_TIER2_WRITABLE: '/repos/alpha,/repos/beta' }), 2, [], catalog(), repos);
    const { allowed, deny } = claudeRules(p);
    assert.ok(p.tools.includes('Skill') && allowed.includes('Skill'));
    for (const rule of [
      'Write(//repos/alpha/**)',
      'Edit(//repos/alpha/**)',
      'Read(//repos/alpha/.claude-ops/playbooks/redeploy.md)',
      'Grep(//repos/alpha/.claude-ops/playbooks/redeploy.md)',
    ])
      assert.ok(deny.includes(rule), rule);
    assert.ok(allowed.includes('Write(//repos/beta/**)'));
    assert.deepEqual(p.denyWrite, ['/repos/alpha']);
    assert.deepEqual(p.denyRead, ['/repos/alpha/.claude-ops/playbooks/redeploy.md']);
    assert.ok(!tierPolicy(config(), 1, [], catalog()).tools.includes('Skill'), 'no Skill tool without skills');
  });

  it('lets tier 3 do everything but the catastrophic, when no approval is required', () => {
    const p = tierPolicy(config({ CLAUDEOPS_APPROVAL: 'none' }), 3, [], catalog());
    assert.deepEqual(p.deniedCommands, BUILTIN_DENY[3]);
    assert.deepEqual(
      claudeRules(p).deny,
      BUILTIN_DENY[3].map((c) => `Bash(${c}:*)`),
    );
    assert.ok(!p.readOnly && !p.propose);
  });

  it('puts a gated tier in propose mode, read-only as in dry run: by default tier 3, and per class', () => {
    const writable = { CLAUDEOPS_TIER2_WRITABLE: '/srv/a', CLAUDEOPS_TIER3_WRITABLE: '/srv/a' };
    const dry = tierPolicy(
      config({ ...writable, CLAUDEOPS_APPROVAL: 'none', CLAUDEOPS_DRY_RUN: 'true' }),
      3,
      ['fs'],
      catalog(),
    );
    const t3 = tierPolicy(config(writable), 3, ['fs'], catalog());
    assert.ok(t3.propose && t3.readOnly);
    for (const k of ['tools', 'deniedCommands', 'denyRules', 'writable', 'mcpAllowed', 'mcpDenied'] as const)
      assert.deepEqual(t3[k], dry[k], k);
    assert.ok(t3.deniedCommands.includes('docker restart') && t3.mcpDenied.includes('mcp__fs__write_file'));
    assert.ok(!tierPolicy(config(writable), 2, [], catalog()).propose, 'tier 2 acts under the default');
    const gates = (classes: string) =>
      ([2, 3] as const).filter((t) => tierPolicy(config({ CLAUDEOPS_APPROVAL: classes }), t, [], catalog()).propose);
    assert.deepEqual(gates('redeploy'), [3]);
    assert.deepEqual(gates('restart'), [2, 3]);
    assert.deepEqual(gates('config'), [2, 3]);
    assert.deepEqual(gates('tier2'), [2]);
    assert.deepEqual(gates('all'), [2, 3]);
    assert.deepEqual(gates('none'), []);
    assert.ok(!tierPolicy(config({ CLAUDEOPS_APPROVAL: 'all' }), 1, [], catalog()).propose, 'tier 1 only observes');
  });

  it('refuses approval classes it does not know, and none mixed with others', () => {
    assert.throws(
      () => config({ CLAUDEOPS_APPROVAL: 'tier3,reboot' }),
      (e: ConfigError) =>
        e.problems.some((p) => p.includes('CLAUDEOPS_APPROVAL') && p.includes('unknown class(es): reboot')),
    );
    assert.throws(
      () => config({ CLAUDEOPS_APPROVAL: 'none,tier3' }),
      (e: ConfigError) => e.problems.some((p) => p.includes('"none" cannot be combined')),
    );
    assert.throws(
      () => config({ CLAUDEOPS_MAINTENANCE: '0 2 * * SUN for 2h; every sunday' }),
      (e: ConfigError) => e.problems.some((p) => p.includes('CLAUDEOPS_MAINTENANCE') && p.includes('"every sunday"')),
    );
    assert.deepEqual(
      config({ CLAUDEOPS_MAINTENANCE: '0 2 * * SUN for 2h; 30 3 1,15 * * for 45m' }).notify.maintenance,
      [
        { cron: '0 2 * * SUN', durationMs: 7_200_000 },
        { cron: '30 3 1,15 * *', durationMs: 2_700_000 },
      ],
    );
  });

  it('adds the operator’s deny rules to the built-in ones: command prefixes, MCP tools, and the rest as they are', () => {
    const p = tierPolicy(
      config({ CLAUDEOPS_TIER2_DENY: 'Bash(psql:*),mcp__db__drop_table,WebFetch(domain:example.com)' }),
      2,
      ['db'],
      catalog(),
    );
    assert.ok(p.deniedCommands.includes('psql') && p.deniedCommands.includes('rm'));
    assert.deepEqual([p.mcpDenied, p.denyRules], [['mcp__db__drop_table'], ['WebFetch(domain:example.com)']]);
    const { deny } = claudeRules(p);
    for (const rule of ['Bash(psql:*)', 'mcp__db__drop_table', 'WebFetch(domain:example.com)', 'Bash(rm:*)'])
      assert.ok(deny.includes(rule), rule);
  });

  it('allows a read-only run only the MCP tools annotated read-only, denies the rest by name, and denies an unlisted server whole', () => {
    const p = tierPolicy(config(), 1, ['fs', 'broken'], catalog());
    assert.deepEqual(p.mcpAllowed, ['mcp__fs__read_file']);
    const { allowed, deny } = claudeRules(p);
    assert.ok(allowed.includes('mcp__fs__read_file') && !allowed.includes('mcp__fs'));
    for (const d of ['mcp__fs__write_file', 'mcp__fs__unannotated', 'mcp__broken']) assert.ok(deny.includes(d), d);
    assert.match(p.warnings[0]!, /MCP server broken is denied .*could not be listed \(spawn nope ENOENT\)/);
  });

  it('lets the operator allow a named MCP tool to read-only runs', () => {
    const p = tierPolicy(config({ CLAUDEOPS_TIER1_MCP_TOOLS: 'fs__unannotated' }), 1, ['fs'], catalog());
    assert.deepEqual(p.mcpAllowed, ['mcp__fs__read_file', 'mcp__fs__unannotated']);
    assert.ok(p.mcpDenied.includes('mcp__fs__write_file'));
  });

  it('keeps whole servers for tiers 2–3 outside dry run', () => {
    const p = tierPolicy(config(), 2, ['fs', 'broken'], catalog());
    assert.deepEqual(p.mcpAllowed, ['mcp__fs', 'mcp__broken']);
    assert.deepEqual(p.mcpDenied, []);
  });

  it('in dry run makes every tier read-only: write tools, writable paths and mutating MCP tools gone, tier 1’s deny rules on top', () => {
    const c = config({
      CLAUDEOPS_DRY_RUN: 'true',
      CLAUDEOPS_TIER1_DENY: 'Bash(curl -X POST:*)',
      CLAUDEOPS_TIER2_WRITABLE: '/srv',
      CLAUDEOPS_TIER3_WRITABLE: '/srv',
    });
    for (const tier of [2, 3] as const) {
      const p = tierPolicy(c, tier, ['fs'], catalog());
      assert.ok(p.readOnly);
      assert.ok(!p.tools.some((t) => WRITE_TOOLS.includes(t)), `tier ${tier}: ${p.tools}`);
      assert.deepEqual(p.writable, []);
      for (const c of [...BUILTIN_DENY[1], 'curl -X POST'])
        assert.ok(p.deniedCommands.includes(c), `tier ${tier} lacks ${c}`);
      assert.ok(p.mcpDenied.includes('mcp__fs__write_file'));
      assert.deepEqual(p.mcpAllowed, ['mcp__fs__read_file']);
    }
  });

  it('refuses writable paths that are relative or reach into the daemon’s own directories, listing each', () => {
    assert.throws(
      () => config({ CLAUDEOPS_TIER2_WRITABLE: 'compose,/state/x', CLAUDEOPS_TIER3_WRITABLE: '/' }),
      (e: ConfigError) => {
        assert.equal(e.problems.length, 3, e.message);
        assert.match(e.problems[0]!, /CLAUDEOPS_TIER2_WRITABLE: "compose" is not an absolute path/);
        assert.match(e.problems[1]!, /"\/state\/x" overlaps the daemon's own directory \/state/);
        assert.match(e.problems[2]!, /CLAUDEOPS_TIER3_WRITABLE: "\/" overlaps/);
        return true;
      },
    );
  });

  it('expands * to every merged MCP server and passes single tools through', () => {
    assert.deepEqual(mcpAllowance(['*'], ['a', 'b']), ['mcp__a', 'mcp__b']);
    assert.deepEqual(mcpAllowance(['mcp__a__read', 'b'], ['a', 'b']), ['mcp__a__read', 'mcp__b']);
    assert.deepEqual(mcpAllowance([], ['a']), []);
  });
});
