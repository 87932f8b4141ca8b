import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config.js';
import { CLAUDE_API_ENV } from '../provider/claude/options.js';
import { cliEnvironment, envContext, SECRET_ENV } from './env-context.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-env-'));
const APPRISE = 'json://user:hunter2-password@127.0.0.1/notify';
const env = {
  ANTHROPIC_API_KEY: 'sk-ant-key-123456',
  CLAUDEOPS_APPRISE_URLS: APPRISE,
  DOCKER_HOST: 'unix:///var/run/docker.sock',
  HOME: '/home/x',
};

describe('the agent’s context and environment', () => {
  const { config } = loadConfig(env, dir);

  it('says that notifications are configured, never where they go', () => {
    const ctx = envContext(config, 1, true);
    assert.equal(ctx.vars.CLAUDEOPS_NOTIFICATIONS, 'configured');
    assert.ok(!ctx.line.includes('hunter2') && !ctx.line.includes('json://'));
    assert.equal(ctx.vars.CLAUDEOPS_READ_ONLY, 'true');
  });

  it('gives the CLI its API key but no other secret, and no inherited DOCKER_HOST', () => {
    const e = cliEnvironment(config, envContext(config, 1, true), { TMPDIR: '/w/tmp' }, env, CLAUDE_API_ENV);
    assert.equal(e.ANTHROPIC_API_KEY, 'sk-ant-key-123456');
    assert.equal(e.CLAUDEOPS_APPRISE_URLS, undefined);
    assert.equal(e.DOCKER_HOST, undefined);
    assert.equal(e.TMPDIR, '/w/tmp');
    assert.ok(!JSON.stringify(e).includes('hunter2'));
  });

  it('names every credential for the sandbox to unset', () => {
    for (const n of ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDEOPS_APPRISE_URLS', 'ANTHROPIC_AUTH_TOKEN'])
      assert.ok(SECRET_ENV.includes(n), n);
  });

  it('redacts a password but not a user name like "user"', () => {
    const { config: c } = loadConfig({ ...env, CLAUDEOPS_APPRISE_URLS: 'json://user:s3cretpass@host/x' }, dir);
    assert.ok(c.secrets.includes('s3cretpass'));
    assert.ok(!c.secrets.includes('user'));
  });
});
