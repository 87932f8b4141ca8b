import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.js';
import { startHttp } from '../http/server.js';
import { Metrics } from '../metrics/metrics.js';
import { standaloneConsole } from './standalone.js';

/** The console as configured for `host`, listening (always) on loopback for the test. */
async function consoleFor(env: Record<string, string>) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-console-'));
  const { config } = loadConfig({ ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_RESULTS_DIR: path.join(root, 'r'), CLAUDEOPS_STATE_DIR: path.join(root, 's'), ...env }, root);
  const server = await startHttp({ host: '127.0.0.1', port: 0, health: { health: () => ({ ok: true, reason: 'test' }) }, metrics: new Metrics(), logger: pino({ level: 'silent' }), console: standaloneConsole(config, pino({ level: 'silent' })) });
  return { server, base: `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}` };
}

describe('console access', () => {
  it('on a non-loopback bind shows no page without the token, but keeps /healthz and /metrics open', async () => {
    const token = 'console-token-0123456789abcdef';
    const { server, base } = await consoleFor({ CLAUDEOPS_HTTP_HOST: '0.0.0.0', CLAUDEOPS_CONSOLE_TOKEN: token });
    try {
      const page = await fetch(`${base}/cycles`, { redirect: 'manual' });
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/login');
      assert.equal((await fetch(`${base}/login`)).status, 200);
      assert.equal((await fetch(`${base}/cycles`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/metrics`)).status, 200);
    } finally {
      server.close();
    }
  });

  it('on a non-loopback bind without a token refuses every page, saying what to set', async () => {
    const { server, base } = await consoleFor({ CLAUDEOPS_HTTP_HOST: '0.0.0.0' });
    try {
      const res = await fetch(`${base}/`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /CLAUDEOPS_CONSOLE_TOKEN is unset: set a token/);
    } finally {
      server.close();
    }
  });

  it('on loopback lets anyone read, but no action runs without a token', async () => {
    const { server, base } = await consoleFor({});
    try {
      assert.equal((await fetch(`${base}/`)).status, 200);
      const act = await fetch(`${base}/actions/run-now`, { method: 'POST' });
      assert.equal(act.status, 403);
      assert.match(await act.text(), /set CLAUDEOPS_CONSOLE_TOKEN/);
    } finally {
      server.close();
    }
  });
});
