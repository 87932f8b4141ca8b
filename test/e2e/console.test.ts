// The operator's console in a real browser: Debian's chromium driven by puppeteer-core,
// against the daemon running the real CLI against the fake API. Each page is
// screenshotted into test-artifacts/ (gitignored).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FakeApi, byModel, slowly, toolUse, verdict } from '../fake-api.js';
import { csrfValue } from '../../src/console/auth.js';
import { ROOT, cycleSummaries, run, sandbox, start, type Sandbox, type Started } from '../harness.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => fs.existsSync(p));
const TOKEN = 'console-token-0123456789abcdef';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const healthyWeb = verdict({
  status: 'healthy',
  summary: 'web answers 200.',
  escalate: false,
  checks: [{ id: 'site/web.md', status: 'healthy', detail: '200 in 0.1 s' }],
});

describe(
  'the console in a real browser',
  { skip: CHROMIUM ? false : 'Debian’s chromium is not installed (.ci/run installs it)' },
  () => {
    let api: FakeApi;
    let sb: Sandbox;
    let daemon: Started;
    let browser: Browser;
    let base: string;

    before(async () => {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      api = new FakeApi(
        byModel({
          haiku: [
            healthyWeb,
            // "Run now" #1: a slow run, watched live.
            slowly(
              1500,
              toolUse(
                'Bash',
                { command: 'echo tick; sleep 2; echo tock', description: 'a slow check' },
                'Checking slowly.',
              ),
            ),
            slowly(1500, healthyWeb),
            // "Run now" #2: a run that is stopped.
            toolUse('Bash', { command: 'sleep 60', description: 'a check that hangs' }),
            healthyWeb,
          ],
        }),
      );
      sb = sandbox(await api.start(), {
        CLAUDEOPS_HTTP_PORT: '0',
        CLAUDEOPS_CONSOLE_TOKEN: TOKEN,
        CLAUDEOPS_INTERVAL: '3600',
        CLAUDEOPS_SHUTDOWN_GRACE: '10',
      });
      sb.addRepo('site', {
        '.claude-ops/checks/web.md': '# Web\n\n- Service: web\n\n## How\ncurl\n\n## Healthy when\n200\n',
      });
      daemon = start(['run'], sb, 240_000);
      await daemon.waitFor(/"msg":"cycle ended/, 90_000);
      base = `http://127.0.0.1:${/"port":(\d+)/.exec(daemon.output())![1]}`;
      // A busy 2-core machine can take longer than puppeteer's default 30 s to start chromium.
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        timeout: 120_000,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
    });
    after(async () => {
      await browser?.close();
      daemon.child.kill('SIGTERM');
      await daemon.done;
      await api.stop();
      sb.cleanup();
    });

    const open = async (url: string, shot: string): Promise<Page> => {
      const page = await browser.newPage();
      await page.setViewport({ width: 1200, height: 800 });
      const res = await page.goto(`${base}${url}`, { waitUntil: 'load' });
      assert.equal(res?.status(), 200, `${url} answered ${res?.status()}`);
      await page.screenshot({ path: path.join(ARTIFACTS, `console-${shot}.png`), fullPage: true });
      return page;
    };

    it('shows every check, the last cycle and today’s spend on the overview, and nothing loads from elsewhere', async () => {
      const page = await browser.newPage();
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(base)) foreign.push(r.url());
      });
      await page.setViewport({ width: 1200, height: 800 });
      const res = await page.goto(`${base}/`, { waitUntil: 'load' });
      assert.match(res!.headers()['content-security-policy']!, /default-src 'none'/);
      const text = await page.$eval('main', (m) => m.textContent ?? '');
      assert.match(text, /All 1 check\(s\) healthy or not applicable/);
      assert.match(text, /Web\s*site\/web\.md · web\s*healthy\s*for \d+ (s|min)/);
      assert.match(text, /web answers 200\./);
      assert.match(text, /Spend today\$0\.\d+/);
      assert.deepEqual(foreign, []);
      await page.screenshot({ path: path.join(ARTIFACTS, 'console-overview.png'), fullPage: true });
      await page.close();
    });

    it('opens a cycle from the list and shows its story, checks and raw events', async () => {
      const page = await open('/cycles', 'cycles');
      await Promise.all([page.waitForNavigation(), page.click('tbody a')]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'console-cycle.png'), fullPage: true });
      const story = await page.$eval('pre.story', (p) => p.textContent ?? '');
      assert.match(story, /tier 1 \(observe\)/);
      assert.match(story, /VERDICT +HEALTHY: web answers 200\./);
      const events = await page.$eval('a[href$="events.jsonl"]', (a) => a.href);
      const raw = await (await fetch(events)).text();
      assert.equal(JSON.parse(raw.split('\n')[0]!).type, 'system');
      await page.close();
      for (const url of ['/checks/site/web.md', '/spend', '/login'])
        await (await open(url, url.split('/')[1]!)).close();
    });

    it('refuses actions without the token, and a cross-site form post even with the login cookie', async () => {
      assert.equal((await fetch(`${base}/actions/run-now`, { method: 'POST' })).status, 401);
      assert.equal(
        (
          await fetch(`${base}/actions/run-now`, {
            method: 'POST',
            headers: { authorization: 'Bearer wrong-token-0123456789' },
          })
        ).status,
        401,
      );
      const login = await fetch(`${base}/login`, {
        method: 'POST',
        body: new URLSearchParams({ token: TOKEN }),
        redirect: 'manual',
      });
      assert.equal(login.status, 303);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = csrfValue(TOKEN);
      const crossSite = await fetch(`${base}/actions/run-now`, {
        method: 'POST',
        headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: `csrf=${csrf}`,
      });
      assert.equal(crossSite.status, 403);
      const noCsrf = await fetch(`${base}/actions/run-now`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf=guess',
      });
      assert.equal(noCsrf.status, 403);
      assert.equal(cycleSummaries(sb.resultsDir).length, 1, 'no refused action started a cycle');
    });

    it('logs in, runs now, and the live view receives the lines as the run tells them', async () => {
      const live = await open('/live', 'live-idle');
      const page = await browser.newPage();
      await page.goto(`${base}/login`);
      await page.type('input[name=token]', TOKEN);
      await Promise.all([page.waitForNavigation(), page.click('#login')]);
      assert.ok(await page.$('#run-now'), 'the Run now button is there once logged in');
      await Promise.all([page.waitForNavigation(), page.click('#run-now')]);
      assert.match(await page.$eval('.notice', (n) => n.textContent ?? ''), /Run now: started/);
      // The operator watches the live tab (a background tab may be frozen by the browser).
      await live.bringToFront();
      const seen = (pattern: string) =>
        live
          .waitForFunction(
            (p) => new RegExp(p).test(document.getElementById('live')!.textContent ?? ''),
            { timeout: 60_000 },
            pattern,
          )
          .catch(async (e) => {
            throw new Error(
              `${(e as Error).message}; the live view shows: ${await live.$eval('#live', (n) => n.textContent)}\nthe daemon said: ${daemon.output().slice(-3000)}`,
            );
          });
      await seen('tool +Bash \\$ echo tick');
      const midway = await live.$eval('#live', (p) => p.textContent ?? '');
      assert.ok(!/VERDICT/.test(midway), 'the tool line arrived while the run was still going');
      await seen('VERDICT +HEALTHY');
      await live.waitForFunction(() => document.getElementById('live-state')!.dataset.ended === 'healthy', {
        timeout: 30_000,
      });
      await live.screenshot({ path: path.join(ARTIFACTS, 'console-live.png'), fullPage: true });
      assert.equal(cycleSummaries(sb.resultsDir).at(-1).trigger, 'operator');
      await live.close();
      await page.close();
    });

    it('stops the running cycle from the console: recorded as interrupted, and the daemon goes on', async () => {
      const page = await browser.newPage();
      await page.goto(`${base}/login`);
      await page.type('input[name=token]', TOKEN);
      await Promise.all([page.waitForNavigation(), page.click('#login')]);
      await Promise.all([page.waitForNavigation(), page.click('#run-now')]);
      await daemon.waitFor(/tool +Bash \$ sleep 60/, 60_000);
      await page.goto(`${base}/`);
      await Promise.all([page.waitForNavigation(), page.click('#stop')]);
      assert.match(await page.$eval('.notice', (n) => n.textContent ?? ''), /Stopping the running cycle/);
      const deadline = Date.now() + 30_000;
      while (cycleSummaries(sb.resultsDir).length < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const last = cycleSummaries(sb.resultsDir).at(-1);
      assert.equal(last.status, 'interrupted');
      assert.equal(daemon.child.exitCode, null, 'the daemon is still running');
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      await page.close();
    });

    it('`claudeops trigger` asks the running daemon for a cycle, with the token', async () => {
      const port = new URL(base).port;
      const wrong = await run(['trigger'], sb, 30_000, {
        CLAUDEOPS_HTTP_PORT: port,
        CLAUDEOPS_CONSOLE_TOKEN: 'not-the-daemons-token-000',
      });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /the daemon refused \(401: the token does not match the daemon's\)/);
      const before = cycleSummaries(sb.resultsDir).length;
      const r = await run(['trigger'], sb, 30_000, { CLAUDEOPS_HTTP_PORT: port });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /the daemon started a cycle/);
      const deadline = Date.now() + 60_000;
      while (cycleSummaries(sb.resultsDir).length === before && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 200));
      assert.equal(cycleSummaries(sb.resultsDir).at(-1).trigger, 'operator');
    });
  },
);
