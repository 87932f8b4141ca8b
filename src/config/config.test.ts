import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appriseSecrets, ConfigError, loadConfig, packageRoot } from './config.js';
import { renderEnvExample, withConfigTable } from './env-example.js';
import { PROVIDER_OPTIONS, variables } from './schema.js';

const noDotenv = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-config-'));
const load = (env: Record<string, string>) => loadConfig({ ANTHROPIC_API_KEY: 'sk-test-key', ...env }, noDotenv);

describe('configuration', () => {
  it('needs an OpenAI key for a tier on Codex, and the link secret in the environment, not in a file it could read', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env, noDotenv);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    const codex = {
      CLAUDEOPS_TIER1_PROVIDER: 'codex',
      CLAUDEOPS_TIER2_PROVIDER: 'codex',
      CLAUDEOPS_TIER3_PROVIDER: 'codex',
    };
    assert.deepEqual(
      problems({ ...codex }).map((p) => p.split(' ')[0]),
      ['CLAUDEOPS_APPROVAL_SECRET', 'OPENAI_API_KEY'],
    );
    assert.deepEqual(
      problems({ ...codex, OPENAI_API_KEY: 'o', CLAUDEOPS_APPROVAL: 'none' }),
      [],
      'no Anthropic key needed when no tier is on Claude',
    );
    assert.deepEqual(problems({ ...codex, OPENAI_API_KEY: 'o', CLAUDEOPS_APPROVAL_SECRET: 'x'.repeat(32) }), []);
    assert.deepEqual(
      problems({ CLAUDEOPS_TIER1_PROVIDER: 'codex', OPENAI_API_KEY: 'o', CLAUDEOPS_APPROVAL: 'none' }).map(
        (p) => p.split(' ')[0],
      ),
      ['ANTHROPIC_API_KEY'],
      'tiers 2-3 still on Claude',
    );
    assert.match(
      problems({ CLAUDEOPS_TIER2_PROVIDER: 'gemini', ANTHROPIC_API_KEY: 'k' })[0]!,
      /CLAUDEOPS_TIER2_PROVIDER="gemini": .*expected one of claude, codex/,
    );
  });

  it('has the documented defaults', () => {
    const { config } = load({});
    assert.deepEqual(config.schedule, { kind: 'interval', seconds: 3600 });
    assert.equal(config.timeoutMs, 1_800_000);
    assert.equal(config.tiers[1].model, 'haiku');
    assert.equal(config.tiers[2].model, 'sonnet');
    assert.equal(config.tiers[3].model, 'opus');
    assert.deepEqual(config.tiers[1].tools, ['Bash', 'Read', 'Grep', 'Glob', 'WebFetch']);
    assert.equal(config.tiers[1].promptFile, path.join(packageRoot(), 'prompts', 'tier1-observe.md'));
    assert.equal(config.stateDir, path.join(packageRoot(), 'state'));
    // `claude` from PATH, or else the pinned copy npm ci put in node_modules/.bin.
    assert.ok(
      ['claude', path.join(packageRoot(), 'node_modules', '.bin', 'claude')].includes(config.claudeBin),
      config.claudeBin,
    );
    assert.equal(config.dryRun, false);
    assert.equal(config.maxTier, 3);
    assert.deepEqual(config.notify.urls, []);
  });

  it('lists every bad variable at once, with its value and what is expected', () => {
    assert.throws(
      () =>
        load({
          CLAUDEOPS_INTERVAL: '0',
          CLAUDEOPS_DRY_RUN: 'maybe',
          CLAUDEOPS_SCHEDULE: 'every tuesday',
          CLAUDEOPS_HTTP_PORT: '99999',
        }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.problems.length, 4, e.message);
        assert.match(
          e.message,
          /CLAUDEOPS_INTERVAL="0": expected a whole number of seconds from 1 to 268435 .*\(default 3600\)/,
        );
        assert.match(e.message, /CLAUDEOPS_DRY_RUN="maybe": expected true or false/);
        assert.match(e.message, /CLAUDEOPS_SCHEDULE="every tuesday": expected a cron expression/);
        assert.match(e.message, /CLAUDEOPS_HTTP_PORT="99999": expected a port/);
        return true;
      },
    );
  });

  it('refuses a variable with a default set empty, listed with every other problem; empty means unset for the others', () => {
    assert.throws(
      () => load({ CLAUDEOPS_TIER1_MODEL: '', CLAUDEOPS_TIER1_NETWORK: ' ', CLAUDEOPS_INTERVAL: 'soon' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.problems.length, 3, e.message);
        assert.match(
          e.message,
          /CLAUDEOPS_TIER1_MODEL="": set but empty \(remove it from \.env and the environment to use the default\); expected a model name or alias such as haiku \(default haiku\)/,
        );
        assert.match(e.message, /CLAUDEOPS_TIER1_NETWORK=" ": set but empty/);
        assert.match(e.message, /CLAUDEOPS_INTERVAL="soon"/);
        return true;
      },
    );
    const { config } = load({
      CLAUDEOPS_SCHEDULE: '',
      CLAUDEOPS_APPRISE_URLS: '',
      CLAUDEOPS_CHECKS_DISABLE: '',
      CLAUDEOPS_MAX_BUDGET_USD: '',
    });
    assert.deepEqual(config.schedule, { kind: 'interval', seconds: 3600 });
    assert.deepEqual(config.notify.urls, []);
    assert.equal(config.budget.perRunUsd, undefined);
  });

  it('bounds every duration that becomes a timer, so none overflows Node’s 2^31-1 ms', () => {
    assert.throws(
      () => load({ CLAUDEOPS_INTERVAL: '2147484', CLAUDEOPS_TIMEOUT: '2592000', CLAUDEOPS_SHUTDOWN_GRACE: '99999999' }),
      (e: ConfigError) => {
        assert.equal(e.problems.length, 3, e.message);
        assert.match(
          e.problems[0]!,
          /CLAUDEOPS_INTERVAL="2147484": expected a whole number of seconds from 1 to 268435/,
        );
        assert.match(e.problems[1]!, /CLAUDEOPS_TIMEOUT="2592000": expected a whole number of seconds from 1 to 86400/);
        assert.match(
          e.problems[2]!,
          /CLAUDEOPS_SHUTDOWN_GRACE="99999999": expected a whole number of seconds from 1 to 3600/,
        );
        return true;
      },
    );
    const { config } = load({
      CLAUDEOPS_INTERVAL: '268435',
      CLAUDEOPS_TIMEOUT: '86400',
      CLAUDEOPS_SHUTDOWN_GRACE: '3600',
    });
    assert.ok(config.schedule.kind === 'interval' && config.schedule.seconds * 1000 * 8 <= 2 ** 31 - 1);
    assert.ok(config.timeoutMs <= 2 ** 31 - 1 && config.shutdownGraceMs + 2_000 <= 2 ** 31 - 1);
  });

  it('reports a missing API key clearly', () => {
    assert.throws(
      () => loadConfig({}, noDotenv),
      /ANTHROPIC_API_KEY is unset: set ANTHROPIC_API_KEY \(or CLAUDE_CODE_OAUTH_TOKEN\)/,
    );
    assert.doesNotThrow(() => loadConfig({ CLAUDE_CODE_OAUTH_TOKEN: 'oauth-token' }, noDotenv));
  });

  it('never shows a secret value in an error', () => {
    assert.throws(
      () => load({ ANTHROPIC_BASE_URL: 'not a url', CLAUDEOPS_APPRISE_URLS: ' ' }),
      (e: Error) => !e.message.includes('sk-test-key'),
    );
  });

  it('uses a cron schedule instead of the interval when set', () => {
    assert.deepEqual(load({ CLAUDEOPS_SCHEDULE: '*/15 * * * *' }).config.schedule, {
      kind: 'cron',
      expression: '*/15 * * * *',
    });
  });

  it('takes CLAUDEOPS_ALLOWED_TOOLS as the older name of the tier-1 tools', () => {
    assert.deepEqual(load({ CLAUDEOPS_ALLOWED_TOOLS: 'Bash, Read' }).config.tiers[1].tools, ['Bash', 'Read']);
    assert.deepEqual(load({ CLAUDEOPS_ALLOWED_TOOLS: 'Bash', CLAUDEOPS_TIER1_TOOLS: 'Read' }).config.tiers[1].tools, [
      'Read',
    ]);
  });

  it('reads .env, and the environment wins over it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-dotenv-'));
    fs.writeFileSync(
      path.join(dir, '.env'),
      'ANTHROPIC_API_KEY=from-dotenv\nCLAUDEOPS_INTERVAL=60\nCLAUDEOPS_TIER1_MODEL=from-dotenv\n',
    );
    const { config } = loadConfig({ CLAUDEOPS_TIER1_MODEL: 'from-env' }, dir);
    assert.equal(config.env.ANTHROPIC_API_KEY, 'from-dotenv');
    assert.deepEqual(config.schedule, { kind: 'interval', seconds: 60 });
    assert.equal(config.tiers[1].model, 'from-env');
  });

  it('warns about unknown CLAUDEOPS_ variables and suggests the near one', () => {
    const { warnings } = load({ CLAUDEOPS_INTERVALL: '60' });
    assert.match(
      warnings.join('\n'),
      /CLAUDEOPS_INTERVALL is not a variable claudeops knows \(did you mean CLAUDEOPS_INTERVAL\?\)/,
    );
  });

  describe('writable paths never cover what the daemon reads as configuration or runs', () => {
    const layout = {
      CLAUDEOPS_APP_DIR: '/opt/claudeops',
      CLAUDEOPS_STATE_DIR: '/var/lib/claudeops/state',
      CLAUDEOPS_RESULTS_DIR: '/var/lib/claudeops/results',
      CLAUDEOPS_REPOS_DIR: '/repos',
    };
    const problems = (
      env: Record<string, string>,
      base: Record<string, string> = { ANTHROPIC_API_KEY: 'sk-test-key' },
    ) => {
      try {
        loadConfig({ ...base, ...layout, ...env }, noDotenv);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };

    it("refuses a repo root: it holds the repo's .claude-ops/ (its mcp.json names commands the next cycle runs)", () => {
      const [p, ...rest] = problems({ CLAUDEOPS_TIER2_WRITABLE: '/repos/infra' });
      assert.deepEqual(rest, []);
      assert.match(
        p!,
        /^CLAUDEOPS_TIER2_WRITABLE: "\/repos\/infra" is the root of repo "infra", so it covers its \.claude-ops\/ .*mcp\.json.*CLAUDE-OPS\.md/,
      );
      assert.match(p!, /list narrower paths .*or name "\/repos\/infra" in CLAUDEOPS_WRITABLE_CONFIG_OK/);
    });

    it("refuses a path inside a repo's configuration, and allows one beside it", () => {
      assert.match(
        problems({ CLAUDEOPS_TIER3_WRITABLE: '/repos/infra/.claude-ops/checks' })[0]!,
        /^CLAUDEOPS_TIER3_WRITABLE: "\/repos\/infra\/\.claude-ops\/checks" lies inside repo "infra"'s \.claude-ops\/ \(\/repos\/infra\/\.claude-ops\)/,
      );
      assert.match(
        problems({ CLAUDEOPS_TIER2_WRITABLE: '/repos/infra/CLAUDE-OPS.md' })[0]!,
        /is repo "infra"'s CLAUDE-OPS\.md/,
      );
      assert.match(problems({ CLAUDEOPS_TIER2_WRITABLE: '/repos/infra/.claude/' })[0]!, /is repo "infra"'s \.claude\//);
      const { config, warnings } = loadConfig(
        {
          ANTHROPIC_API_KEY: 'k',
          ...layout,
          CLAUDEOPS_TIER2_WRITABLE: '/repos/infra/src,/repos/infra/.claude-opsx,/repos/infra/compose/checks',
        },
        noDotenv,
      );
      assert.deepEqual(config.tiers[2].writable, [
        '/repos/infra/src',
        '/repos/infra/.claude-opsx',
        '/repos/infra/compose/checks',
      ]);
      assert.deepEqual(warnings, []);
    });

    it("refuses the repos directory, an ancestor of it, the app directory's parent, a prompt file and .env, listing each with every other problem", () => {
      const found = problems(
        {
          CLAUDEOPS_TIER2_PROMPT: '/etc/claudeops/tier2.md',
          CLAUDEOPS_TIER2_WRITABLE: '/repos,/opt,/etc/claudeops',
          CLAUDEOPS_TIER3_WRITABLE: `/srv/data,${noDotenv}`,
          CLAUDEOPS_REPOS_DIR: '/srv/data/repos',
        },
        {},
      );
      assert.equal(found.length, 5, found.join('\n'));
      assert.match(found[0]!, /^ANTHROPIC_API_KEY is unset/);
      assert.match(
        found[1]!,
        /^CLAUDEOPS_TIER2_WRITABLE: "\/opt" overlaps the daemon's own directory \/opt\/claudeops \(its prompts, checks, \.claude\/mcp\.json and CLAUDE\.md\), which no tier may change/,
      );
      assert.match(
        found[2]!,
        /^CLAUDEOPS_TIER2_WRITABLE: "\/etc\/claudeops" contains the tier 2 prompt file \/etc\/claudeops\/tier2\.md \(CLAUDEOPS_TIER2_PROMPT\)/,
      );
      assert.match(
        found[3]!,
        /^CLAUDEOPS_TIER3_WRITABLE: "\/srv\/data" contains the repos directory \/srv\/data\/repos, so it covers every repo's \.claude-ops\//,
      );
      assert.match(
        found[4]!,
        new RegExp(
          `^CLAUDEOPS_TIER3_WRITABLE: "${noDotenv}" contains the \\.env file ${noDotenv}/\\.env \\(the configuration itself\\)`,
        ),
      );
      assert.match(
        problems({ CLAUDEOPS_TIER2_WRITABLE: '/repos' })[0]!,
        /"\/repos" is the repos directory \/repos, so it covers every repo's \.claude-ops\//,
      );
    });

    it("lets CLAUDEOPS_WRITABLE_CONFIG_OK turn a path's error into a warning, never for the daemon's own directories", () => {
      const { config, warnings } = load({
        ...layout,
        CLAUDEOPS_TIER2_WRITABLE: '/repos/infra,/repos/web/src',
        CLAUDEOPS_WRITABLE_CONFIG_OK: '/repos/infra/, /repos/other',
      });
      assert.deepEqual(config.tiers[2].writable, ['/repos/infra', '/repos/web/src']);
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        /^CLAUDEOPS_TIER2_WRITABLE: "\/repos\/infra" is the root of repo "infra", so it covers its \.claude-ops\/.*as CLAUDEOPS_WRITABLE_CONFIG_OK allows/,
      );
      assert.match(
        warnings[1]!,
        /^CLAUDEOPS_WRITABLE_CONFIG_OK: "\/repos\/other" is not in CLAUDEOPS_TIER2_WRITABLE or CLAUDEOPS_TIER3_WRITABLE/,
      );
      assert.match(
        problems({ CLAUDEOPS_TIER2_WRITABLE: '/opt', CLAUDEOPS_WRITABLE_CONFIG_OK: '/opt' })[0]!,
        /"\/opt" overlaps the daemon's own directory \/opt\/claudeops/,
      );
    });
  });

  it("checks a tier's tool names against its own provider's, and each provider's variables are in the table", () => {
    const problems = (env: Record<string, string>) => {
      try {
        load(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    const codex2 = { CLAUDEOPS_TIER2_PROVIDER: 'codex', OPENAI_API_KEY: 'o', CLAUDEOPS_APPROVAL: 'none' };
    assert.deepEqual(problems({ ...codex2, CLAUDEOPS_TIER2_TOOLS: 'Bash,shell' }), [], 'Codex takes no tool set');
    assert.match(
      problems({ ...codex2, CLAUDEOPS_TIER3_TOOLS: 'Bash,shell' })[0]!,
      /^CLAUDEOPS_TIER3_TOOLS="Bash,shell": unknown tool name\(s\): shell; expected a comma-separated list of Claude Code tool names/,
    );
    assert.deepEqual(
      problems({ CLAUDEOPS_ALLOWED_TOOLS: 'Bash,Nope', CLAUDEOPS_INTERVAL: 'x' }).map((p) => p.split('=')[0]),
      ['CLAUDEOPS_INTERVAL', 'CLAUDEOPS_TIER1_TOOLS', 'CLAUDEOPS_ALLOWED_TOOLS'],
      'in the order of the table, with every other problem',
    );
    for (const p of Object.values(PROVIDER_OPTIONS)) {
      assert.ok(p.binVariable in variables, p.binVariable);
      for (const name of [...Object.keys(p.variables), ...p.apiEnv]) assert.ok(name in variables, name);
    }
    const { config } = load({});
    assert.deepEqual(config.tiers[1].writable, [], 'tier 1 has no writable variable');
    assert.equal(config.tiers[2].provider, 'claude');
    assert.equal(config.writableConfigOk.length, 0);
  });

  it('treats credentials in Apprise URLs as secrets', () => {
    const secrets = appriseSecrets(
      'json://user:hunter22@127.0.0.1:8080/hook, slack://T1234567/B7654321/abcdefghijklmnop',
    );
    for (const s of ['hunter22', 'user:hunter22', 'abcdefghijklmnop']) assert.ok(secrets.includes(s), s);
    assert.ok(!secrets.includes('127.0.0.1:8080'));
  });
});

describe('.env.example', () => {
  it('is generated from the schema and up to date (run `npm run env-example`)', () => {
    const file = fs.readFileSync(path.join(packageRoot(), '.env.example'), 'utf8');
    const names = [...file.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    assert.deepEqual(
      [...names].sort(),
      Object.keys(variables).sort(),
      'variables differ between the schema and .env.example',
    );
    assert.equal(file, renderEnvExample());
  });
});

describe('README configuration table', () => {
  it('is generated from the schema and up to date (run `npm run env-example`)', () => {
    const readme = fs.readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
    assert.equal(readme, withConfigTable(readme));
  });
});

describe('the repos directory', () => {
  it('is a problem when the operator named one that is not there, and a note when the default is missing', async () => {
    const { reposDirFinding } = await import('./repos-dir.js');
    const named = { env: { CLAUDEOPS_REPOS_DIR: '/srv/repo' }, reposDir: '/srv/repo' } as never;
    const fallback = { env: { CLAUDEOPS_REPOS_DIR: 'repos' }, reposDir: '/app/repos' } as never;
    assert.deepEqual(reposDirFinding(named, 'directory'), {});
    assert.match(
      reposDirFinding(named, { code: 'ENOENT' }).problem!,
      /^CLAUDEOPS_REPOS_DIR="\/srv\/repo": the repos directory \/srv\/repo does not exist, .*fix the path/,
    );
    assert.match(reposDirFinding(named, 'not a directory').problem!, /\/srv\/repo is not a directory/);
    assert.match(reposDirFinding(fallback, { code: 'EACCES' }).problem!, /cannot be read \(EACCES\)/);
    const missingDefault = reposDirFinding(fallback, { code: 'ENOENT' });
    assert.equal(missingDefault.problem, undefined);
    assert.match(missingDefault.note!, /\/app\/repos .*does not exist, so only the app's own checks run/);
  });
});
