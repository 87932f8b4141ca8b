// The console at a desktop and a phone width in Debian's chromium, over the records of a
// real cycle (the real CLI against the fake API) in which one check is down and one
// degraded: no page scrolls sideways, problems come first under a banner, an unhealthy
// verdict is drawn as one, and the icon is served. Screenshots of every page at both
// widths go to test-artifacts/ for a person to look at. The JSON API over the same records
// answers every path as its OpenAPI document says (checked with Ajv, JSON Schema 2020-12).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Ajv2020 } from 'ajv/dist/2020.js';
import puppeteer, { type Browser } from 'puppeteer-core';
import { loadConfig } from '../../src/config/config.js';
import { standaloneConsole } from '../../src/console/standalone.js';
import { startHttp } from '../../src/http/server.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { FakeApi, byModel, verdict } from '../fake-api.js';
import { ROOT, cycleSummaries, run, sandbox, type Sandbox } from '../harness.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => fs.existsSync(p));
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const SIZES = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

describe('the console at 1280 and 390 px', { skip: CHROMIUM ? false : 'Debian’s chromium is not installed' }, () => {
  let api: FakeApi;
  let sb: Sandbox;
  let server: Awaited<ReturnType<typeof startHttp>>;
  let browser: Browser;
  let base = '';
  let cycle = '';

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    api = new FakeApi(
      byModel({
        haiku: [
          verdict({
            status: 'unhealthy',
            summary: 'The database refuses connections; the queue is slow.',
            escalate: false,
            checks: [
              { id: 'site/web.md', status: 'healthy', service: 'web', detail: '200 in 0.1 s' },
              { id: 'site/db.md', status: 'unhealthy', service: 'db', detail: 'connection refused on 5432' },
              { id: 'site/queue.md', status: 'degraded', service: 'queue', detail: '1,204 messages waiting' },
            ],
          }),
        ],
      }),
    );
    sb = sandbox(await api.start(), { CLAUDEOPS_MAX_TIER: '1' });
    sb.addRepo('site', {
      '.claude-ops/checks/web.md': '# Web\n\n- Service: web\n',
      '.claude-ops/checks/db.md': '# Database\n\n- Service: db\n- Severity: critical\n',
      '.claude-ops/checks/queue.md': '# Queue\n\n- Service: queue\n',
    });
    const result = await run(['once'], sb, 120_000);
    assert.equal(result.code, 1, result.stdout.slice(-2000));
    cycle = cycleSummaries(sb.resultsDir)[0]!.id;
    const { config } = loadConfig(sb.env, sb.root);
    const logger = pino({ level: 'silent' });
    server = await startHttp({
      host: '127.0.0.1',
      port: 0,
      health: { health: () => ({ ok: true, reason: 'test' }) },
      metrics: new Metrics(),
      logger,
      console: standaloneConsole(config, logger),
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 120_000,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    server?.close();
    await api.stop();
    sb.cleanup();
  });

  for (const size of SIZES)
    it(`${size.name} (${size.width} px): no page scrolls sideways`, async () => {
      const page = await browser.newPage();
      await page.setViewport({ width: size.width, height: size.height });
      const pages: Record<string, string> = {
        overview: '/',
        cycles: '/cycles',
        cycle: `/cycles/${cycle}`,
        check: '/checks/site/db.md',
        spend: '/spend',
        approvals: '/approvals',
        live: '/live',
        login: '/login',
      };
      const wide: string[] = [];
      for (const [name, url] of Object.entries(pages)) {
        const res = await page.goto(`${base}${url}`, { waitUntil: 'load' });
        assert.equal(res?.status(), 200, `${url} answered ${res?.status()}`);
        const { scroll, inner } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
        }));
        if (scroll > inner) wide.push(`${url}: ${scroll} px in a ${inner} px window`);
        const small = await page.$$eval('header a, header button, .filters a, .pager a', (els) =>
          els.filter((e) => e.getBoundingClientRect().height < 40).map((e) => e.textContent),
        );
        if (small.length) wide.push(`${url}: tap targets under 40 px: ${small.join(', ')}`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-${size.name}-${name}.png`), fullPage: true });
      }
      assert.deepEqual(wide, []);
      await page.close();
    });

  it('puts problems first under a banner, with each check’s last results linked to their cycles', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`, { waitUntil: 'load' });
    const order = await page.$$eval('tr.check', (rows) => rows.map((r) => r.getAttribute('data-id')));
    assert.deepEqual(order, ['site/db.md', 'site/queue.md', 'site/web.md']);
    const bannerText = await page.$eval('#banner', (b) => [b.textContent, b.className]);
    assert.match(bannerText[0]!, /^1 check down · 1 degraded/);
    assert.match(bannerText[1]!, /bad-banner/);
    const marks = await page.$$eval('tr.check[data-id="site/db.md"] .results a', (as) =>
      as.map((a) => [a.className, a.getAttribute('href'), a.getAttribute('title')]),
    );
    assert.equal(marks.length, 1);
    assert.equal(marks[0]![0], 'r bad');
    assert.equal(marks[0]![1], `/cycles/${cycle}`);
    assert.match(marks[0]![2]!, /unhealthy · connection refused on 5432/);
    assert.equal(await page.$eval('tr.check[data-id="site/db.md"] .sev', (e) => e.textContent), 'critical');
    const since = await page.$eval('tr.check[data-id="site/db.md"] time', (t) => [
      t.textContent,
      t.getAttribute('title'),
    ]);
    assert.match(since[0]!, /^\d+ (s|min)$/);
    assert.match(since[1]!, /UTC$/);
    await page.close();
  });

  it('draws an unhealthy verdict and check line as unhealthy, not as a success', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/cycles/${cycle}`, { waitUntil: 'load' });
    const verdicts = await page.$$eval('.k-verdict', (s) => s.map((e) => [e.className, e.textContent]));
    assert.ok(verdicts.length > 0, 'the story has a verdict line');
    for (const [cls, text] of verdicts) assert.match(cls!, /\bs-bad\b/, `${text}`);
    const color = await page.$eval('.k-verdict', (e) => getComputedStyle(e).color);
    assert.notEqual(color, 'rgb(119, 255, 119)', 'not the green of a healthy line');
    const db = await page.$$eval('.k-check', (s) =>
      s.filter((e) => e.textContent.includes('site/db.md')).map((e) => e.className),
    );
    assert.deepEqual(db, ['k-check s-bad']);
    await page.close();
  });

  it('follows the system’s dark or light scheme', async () => {
    const page = await browser.newPage();
    const background = async (scheme: 'dark' | 'light') => {
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.goto(`${base}/`, { waitUntil: 'load' });
      return page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    };
    assert.equal(await background('light'), 'rgb(250, 250, 250)');
    assert.equal(await background('dark'), 'rgb(21, 25, 29)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-desktop-overview-dark.png'), fullPage: true });
    await page.close();
  });

  it('answers every API path as its OpenAPI document says, with the same records the pages show', async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      components: { schemas: Record<string, object> };
      paths: Record<
        string,
        { get: { responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }> } }
      >;
    };
    assert.equal(doc.openapi, '3.1.0');
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas))
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    const check = async (url: string, code: number, pathKey: string) => {
      const res = await fetch(`${base}${url}`);
      assert.equal(res.status, code, url);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const body: unknown = await res.json();
      const ref = doc.paths[pathKey]!.get.responses[String(code)]!.content['application/json'].schema.$ref;
      const validate = ajv.getSchema(ref)!;
      assert.ok(validate(body), `${url}: ${JSON.stringify(validate.errors)}`);
      return body as Record<string, unknown>;
    };
    const checks = (await check('/api/v1/checks', 200, '/api/v1/checks')) as {
      checks: { id: string; last: unknown[] }[];
    };
    assert.deepEqual(
      checks.checks.map((c) => c.id),
      ['site/db.md', 'site/queue.md', 'site/web.md'],
    );
    assert.equal(checks.checks[0]!.last.length, 1);
    assert.equal((checks.checks[0] as { severity?: string }).severity, 'critical');
    const cycles = (await check('/api/v1/cycles?status=unhealthy', 200, '/api/v1/cycles')) as {
      total: number;
      cycles: { id: string }[];
    };
    assert.deepEqual([cycles.total, cycles.cycles[0]!.id], [1, cycle]);
    assert.equal(((await check('/api/v1/cycles?status=healthy', 200, '/api/v1/cycles')) as { total: number }).total, 0);
    assert.equal((await check(`/api/v1/cycles/${cycle}`, 200, '/api/v1/cycles/{id}')).status, 'unhealthy');
    await check('/api/v1/cycles/run-nope', 404, '/api/v1/cycles/{id}');
    await check('/api/v1/spend?days=7', 200, '/api/v1/spend');
    await check('/api/v1/approvals', 200, '/api/v1/approvals');
    const stats = (await check('/api/v1/stats', 200, '/api/v1/stats')) as {
      checks: Record<string, number>;
      lastCycle: { status: string };
    };
    assert.deepEqual(stats.checks, { total: 3, healthy: 1, degraded: 1, unhealthy: 1, unknown: 0, notApplicable: 0 });
    assert.equal(stats.lastCycle.status, 'unhealthy');
    // The document can say no: a stats answer without its counts does not pass.
    assert.equal(ajv.getSchema('#/components/schemas/Stats')!({ checks: {}, lastCycle: null }), false);
  });

  it('serves its icon, so no page asks for a missing favicon', async () => {
    const res = await fetch(`${base}/favicon.ico`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml');
    assert.match(await res.text(), /^<svg /);
  });
});
