// What the daemon's invocation of the real Claude Code CLI puts in each request, and
// what the CLI says of the daemon's settings: only the skills the daemon installs are
// listed (not the dozen the CLI bundles), and every tool a permission rule names is one
// the pinned CLI knows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, toolNames, verdict, type RecordedRequest } from '../fake-api.js';
import { API_KEY, CLAUDE, killGroup, run, sandbox } from '../harness.js';
import { buildClaudeCommand } from '../../src/provider/claude/command.js';
import { WRITE_TOOLS } from '../../src/provider/claude/options.js';
import type { TierPolicy } from '../../src/policy/policy.js';

const SKILL_LIST = 'The following skills are available for use with the Skill tool:';

/** The skills a request lists for the Skill tool, by name. */
function listedSkills(req: RecordedRequest): string[] {
  const texts: string[] = JSON.stringify(req.body.messages ?? []).split('\\n');
  const start = texts.findIndex((t) => t.includes(SKILL_LIST));
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of texts.slice(start + 1)) {
    const m = /^- ([^:\s]+):/.exec(line);
    if (m) names.push(m[1]!);
    else if (names.length) break;
  }
  return names;
}

/** The tool a Claude permission rule names: `Write(/x/**)` → Write; MCP rules are not built-in tools. */
const ruleTool = (rule: string): string | undefined =>
  rule.startsWith('mcp__') ? undefined : /^[A-Za-z]+/.exec(rule)?.[0];

const healthy = verdict({ status: 'healthy', summary: 'All fine.', escalate: false });

describe('the requests the daemon makes the real CLI send', () => {
  it('lists only the installed skills, and every tool in the permission rules is one the CLI offers, without a warning', async () => {
    const api = new FakeApi(byModel({ haiku: [healthy] }));
    const url = await api.start();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-request-'));
    const work = path.join(root, 'work');
    fs.mkdirSync(path.join(work, '.claude', 'skills', 'site-prune-logs'), { recursive: true });
    fs.writeFileSync(
      path.join(work, '.claude', 'skills', 'site-prune-logs', 'SKILL.md'),
      '---\nname: site-prune-logs\ndescription: Prune web logs older than a week\n---\nfind /var/log/web -mtime +7\n',
    );
    fs.mkdirSync(path.join(root, 'home'));
    // Every tool a rule can name is offered, so the request's tool list is the CLI's word on each.
    const policy: TierPolicy = {
      tier: 2,
      readOnly: false,
      propose: false,
      tools: ['Bash', 'Read', 'Grep', 'Glob', 'Skill', ...WRITE_TOOLS],
      deniedCommands: ['rm'],
      denyRules: [],
      writable: [path.join(root, 'writable')],
      network: [],
      mcpAllowed: [],
      mcpDenied: [],
      warnings: [],
      denyWrite: [path.join(root, 'never-modify')],
      denyRead: [path.join(root, 'hidden.md')],
    };
    const cmd = buildClaudeCommand({
      bin: CLAUDE,
      model: 'haiku',
      policy,
      mcpServers: {},
      filesDir: { host: path.join(root, 'files'), inner: path.join(root, 'files') },
      instructions: 'Environment: test',
      jsonSchema: JSON.stringify({ type: 'object', properties: { status: { type: 'string' } } }),
      cwd: work,
      prompt: 'Check everything.',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: path.join(root, 'home'),
        ANTHROPIC_BASE_URL: url,
        ANTHROPIC_API_KEY: API_KEY,
        CLAUDE_CODE_MAX_RETRIES: '0',
      },
    });
    fs.mkdirSync(path.join(root, 'files'));
    for (const f of cmd.files ?? []) fs.writeFileSync(f.path, f.content, { mode: 0o600 });
    const child = spawn(cmd.file, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => killGroup(child.pid), 60_000);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.stdin.end(cmd.stdin);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    await api.stop();
    try {
      assert.equal(code, 0, stderr);
      const first = api.messages[0]!;
      assert.doesNotMatch(stderr, /matches no known tool/);
      const rules = JSON.parse(cmd.files!.find((f) => f.path.endsWith('settings.json'))!.content).permissions;
      const named = new Set([...rules.allow, ...rules.deny].map(ruleTool).filter((t): t is string => t !== undefined));
      for (const w of WRITE_TOOLS) assert.ok(named.has(w), `the rules name ${w}`);
      const offered = new Set(toolNames(first));
      for (const t of named)
        assert.ok(
          offered.has(t),
          `${t} is named in a permission rule, but the pinned CLI offers no such tool (it offers ${[...offered].join(', ')})`,
        );
      assert.deepEqual(listedSkills(first), ['site-prune-logs']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('through the daemon: a repo skill and a never-modify repo give a tier-1 request with only that skill and a run with no rule warning', async () => {
    const api = new FakeApi(byModel({ haiku: [healthy] }));
    const sb = sandbox(await api.start());
    try {
      sb.addRepo('site', {
        'CLAUDE-OPS.md': '# Site\n\n## Rules\n- Never modify files in this repo.\n',
        '.claude-ops/checks/web.md': '# Web\n\n- Service: web\n\n## How\ncurl http://web/\n\n## Healthy when\n200\n',
        '.claude-ops/skills/prune-logs/SKILL.md':
          '---\nname: prune-logs\ndescription: Prune web logs older than a week\n---\nfind /var/log/web -mtime +7 -print\n',
      });
      const r = await run(['once'], sb, 120_000);
      const t1 = api.messages.filter((m) => String(m.body.model).includes('haiku'));
      assert.ok(t1.length >= 1, r.stdout.slice(-2000));
      assert.ok(toolNames(t1[0]!).includes('Skill'), `the repo skill brings the Skill tool: ${toolNames(t1[0]!)}`);
      const listed = listedSkills(t1[0]!);
      assert.equal(listed.length, 1, `only the repo's skill is listed: ${listed.join(', ')}`);
      assert.match(listed[0]!, /prune-logs$/);
      assert.doesNotMatch(r.stdout + r.stderr, /matches no known tool/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});
