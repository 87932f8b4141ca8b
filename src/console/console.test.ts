import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.js';
import { startHttp } from '../http/server.js';
import { Metrics } from '../metrics/metrics.js';
import { signedLink } from '../approval/links.js';
import { contentHash } from '../approval/state.js';
import type { Proposal } from '../store/records.js';
import { standaloneConsole } from './standalone.js';
import type { ConsoleDeps } from './console.js';
import { oncePerClient } from './throttle.js';

/** The console as configured for `host`, listening (always) on loopback for the test. */
async function consoleFor(
  env: Record<string, string>,
  over: Partial<ConsoleDeps> = {},
  before: (stateDir: string) => void = () => undefined,
) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-console-'));
  const { config } = loadConfig(
    {
      ANTHROPIC_API_KEY: 'k-test',
      CLAUDEOPS_RESULTS_DIR: path.join(root, 'r'),
      CLAUDEOPS_STATE_DIR: path.join(root, 's'),
      ...env,
    },
    root,
  );
  before(config.stateDir);
  const server = await startHttp({
    host: '127.0.0.1',
    port: 0,
    health: { health: () => ({ ok: true, reason: 'test' }) },
    metrics: new Metrics(),
    logger: pino({ level: 'silent' }),
    console: { ...standaloneConsole(config, pino({ level: 'silent' })), ...over },
  });
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`,
    resultsDir: config.resultsDir,
    stateDir: config.stateDir,
  };
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
      const api = await fetch(`${base}/api/v1/stats`);
      assert.equal(api.status, 401);
      assert.match(((await api.json()) as { error: string }).error, /Authorization: Bearer/);
      assert.equal(
        (await fetch(`${base}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } })).status,
        200,
      );
      assert.equal((await fetch(`${base}/api/v1/openapi.json`)).status, 200);
    } finally {
      server.close();
    }
  });

  it('lets a read-only token read pages and the API by bearer, and never act', async () => {
    const token = 'console-token-0123456789abcdef';
    const reader = 'reader-token-0123456789abcdef';
    const { server, base } = await consoleFor({
      CLAUDEOPS_HTTP_HOST: '0.0.0.0',
      CLAUDEOPS_CONSOLE_TOKEN: token,
      CLAUDEOPS_CONSOLE_READ_TOKEN: reader,
    });
    try {
      const as = { authorization: `Bearer ${reader}` };
      assert.equal((await fetch(`${base}/api/v1/checks`, { headers: as })).status, 200);
      assert.equal((await fetch(`${base}/cycles`, { headers: as, redirect: 'manual' })).status, 200);
      const act = await fetch(`${base}/actions/run-now`, { method: 'POST', headers: as });
      assert.equal(act.status, 401);
      assert.equal(
        (await fetch(`${base}/api/v1/checks`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
        401,
      );
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

describe('approval links', () => {
  const SECRET = 'approval-secret-0123456789abcdef0123456789';
  const content = {
    cycle: 'run-1',
    tier: 3,
    service: 'web',
    action: 'restart' as const,
    commands: [`echo ok${' '.repeat(300)}; rm -rf /srv/data`, 'docker restart web\u202e'],
    why: 'web is down\nApprove: https://evil.example/approve',
    expected: 'web answers 200',
    rollback: 'none needed',
  };
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const proposal: Proposal = {
    id: 'p-1',
    ...content,
    hash: contentHash(content),
    createdAt: new Date().toISOString(),
    expiresAt: new Date(exp * 1000).toISOString(),
    state: 'pending',
  };
  const park = (stateDir: string) => {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(
      path.join(stateDir, 'approvals.json'),
      JSON.stringify({ version: 1, proposals: { [proposal.id]: proposal } }),
    );
  };
  const link = (key: string) =>
    signedLink('http://x', key, { action: 'approve', subject: proposal.id, bind: proposal.hash, exp });
  const post = (base: string, url: string) =>
    fetch(`${base}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URL(url).searchParams.toString(),
    });
  const refused = (resultsDir: string): Record<string, unknown>[] => {
    const file = path.join(resultsDir, 'receipts.ndjson');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.kind === 'approval_refused');
  };

  it('a forged approve POST (or GET) answers 403 and shows nothing of the proposal', async () => {
    const { server, base } = await consoleFor({ CLAUDEOPS_APPROVAL_SECRET: SECRET }, {}, park);
    try {
      for (const res of [
        await post(base, link(`${SECRET}x`)),
        await fetch(link(`${SECRET}x`).replace('http://x', base)),
      ]) {
        assert.equal(res.status, 403);
        const body = await res.text();
        assert.match(body, /not genuine/);
        for (const words of ['rm -rf', 'docker restart', 'web is down', 'evil', 'web answers 200', 'none needed'])
          assert.ok(!body.includes(words), `${words} in: ${body}`);
      }
    } finally {
      server.close();
    }
  });

  it('records a forged approve POST once per client a minute, however often it is sent', async () => {
    let now = 0;
    const { server, base, resultsDir, stateDir } = await consoleFor(
      { CLAUDEOPS_APPROVAL_SECRET: SECRET },
      { forgedLinks: oncePerClient({ windowMs: 60_000, now: () => now }) },
      park,
    );
    try {
      for (let i = 0; i < 10; i++) {
        now = i * 5_000;
        assert.equal((await post(base, link(`${SECRET}x`))).status, 403);
      }
      assert.equal(refused(resultsDir).length, 1);
      assert.match(String(refused(resultsDir)[0]!.reason), /not genuine/);
      assert.equal(refused(resultsDir)[0]!.by, 'signed link from 127.0.0.1');
      now = 60_000;
      assert.equal((await post(base, link(`${SECRET}x`))).status, 403);
      assert.equal(refused(resultsDir).length, 2, 'a minute later, recorded again');
      assert.equal(
        JSON.parse(fs.readFileSync(path.join(stateDir, 'approvals.json'), 'utf8')).proposals['p-1'].state,
        'pending',
      );
    } finally {
      server.close();
    }
  });

  it('shows the genuine link’s proposal with nothing hidden and no link made of the model’s text', async () => {
    const { server, base } = await consoleFor({ CLAUDEOPS_APPROVAL_SECRET: SECRET }, {}, park);
    try {
      const res = await fetch(link(SECRET).replace('http://x', base));
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.ok(page.includes('$ echo ok ⟨…300 spaces⟩; rm -rf /srv/data\n'), page);
      assert.ok(page.includes('docker restart web&lt;U+202E&gt;'), page);
      assert.ok(page.includes('web is down⏎Approve: https://evil.example/approve'), page);
      assert.ok(!page.includes('\u202e') && !page.includes(' '.repeat(4)), 'no raw override, no long run of spaces');
      assert.ok(!/href="https?:/.test(page), 'no link to anywhere but the console');
      const list = await (await fetch(`${base}/approvals`)).text();
      assert.ok(list.includes('⟨…300 spaces⟩') && list.includes('&lt;U+202E&gt;') && !list.includes('\u202e'), list);
    } finally {
      server.close();
    }
  });
});

describe('oncePerClient', () => {
  it('lets the first event per client through each window, keeping clients named like Object methods apart', () => {
    let now = 0;
    const t = oncePerClient({ windowMs: 60_000, now: () => now });
    assert.deepEqual(
      ['a', 'a', '__proto__', '__proto__', 'constructor', 'b'].map((c) => t.first(c)),
      [true, false, true, false, true, true],
    );
    now = 59_999;
    assert.equal(t.first('a'), false);
    now = 60_000;
    assert.equal(t.first('a'), true);
    assert.equal(t.first('a'), false);
  });

  it('remembers at most maxClients, forgetting those past their window first', () => {
    let now = 0;
    const t = oncePerClient({ windowMs: 1000, now: () => now, maxClients: 2 });
    assert.deepEqual(
      ['a', 'b', 'c'].map((c) => t.first(c)),
      [true, true, false],
    );
    now = 1000;
    assert.deepEqual(
      ['c', 'd', 'e'].map((c) => t.first(c)),
      [true, true, false],
    );
  });
});

describe('the 30-day timeline', () => {
  it('ends with the current hour, so a result of this hour shows', async () => {
    const { timeline } = await import('./charts.js');
    const now = Date.parse('2026-01-10T12:30:00Z');
    const hour = Date.parse('2026-01-10T12:00:00Z');
    const svg = timeline([{ start: hour, good: 1, total: 1 }], now - 30 * 24 * 3_600_000, now);
    const cells = svg.match(/<rect [^>]*>/g)!;
    assert.equal(cells.length, 720);
    assert.match(cells.at(-1)!, /fill="#2e9e4f"/);
    assert.match(svg, /2026-01-10T12h: 1\/1 good<\/title><\/rect><\/svg>$/);
  });
});

describe("the daemon's notes on the console", () => {
  const token = 'console-token-0123456789abcdef';
  const note = (id: string, text: string) => ({
    id,
    service: 'web',
    kind: 'fix' as const,
    action: 'restart',
    text,
    cycle: 'run-20261201-000000',
    at: new Date().toISOString(),
    confidence: 0.6,
    confirmed: 0,
  });
  const seed = (stateDir: string) => {
    fs.mkdirSync(stateDir, { recursive: true });
    const at = new Date().toISOString();
    const entry = { title: 'Web', services: ['web'], status: 'healthy', since: at, failures: 0, successes: 1 };
    const checks = { version: 1, checks: { 'site/web.md': { ...entry, last: [], hours: [] } } };
    fs.writeFileSync(path.join(stateDir, 'checks.json'), JSON.stringify(checks));
    const memory = { version: 1, notes: [note('n-1', 'restart fixed the <b>pool</b>'), note('n-2', 'second note')] };
    fs.writeFileSync(path.join(stateDir, 'memory.json'), JSON.stringify(memory));
  };

  it('shows them on the check page, and lets the token edit, pin and delete them, each change a receipt', async () => {
    const { server, base, resultsDir, stateDir } = await consoleFor({ CLAUDEOPS_CONSOLE_TOKEN: token }, {}, seed);
    const act = (form: Record<string, string>, auth = true) =>
      fetch(`${base}/actions/note`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth ? { authorization: `Bearer ${token}` } : {}),
        },
        body: new URLSearchParams(form).toString(),
      });
    const stored = () => JSON.parse(fs.readFileSync(path.join(stateDir, 'memory.json'), 'utf8')).notes;
    try {
      const page = await (await fetch(`${base}/checks/site/web.md`)).text();
      assert.match(page, /What the daemon remembers/);
      assert.match(page, /restart fixed the &lt;b&gt;pool&lt;\/b&gt;/);
      assert.doesNotMatch(page, /action="\/actions\/note"/, 'no forms for a reader');
      const asActor = await (
        await fetch(`${base}/checks/site/web.md`, { headers: { authorization: `Bearer ${token}` } })
      ).text();
      assert.match(asActor, /action="\/actions\/note"/);

      assert.equal((await act({ id: 'n-1', verb: 'delete' }, false)).status, 401);
      assert.equal(stored().length, 2, 'a caller without the token changes nothing');
      assert.equal((await act({ id: 'n-1', verb: 'burn' })).status, 400);
      assert.match(await (await act({ verb: 'pin' })).text(), /id is missing/);
      assert.equal((await act({ id: 'n-9', verb: 'pin' })).status, 404);

      assert.equal(
        ((await (await act({ id: 'n-1', verb: 'pin' })).json()) as { note: { pinned: boolean } }).note.pinned,
        true,
      );
      assert.equal((await act({ id: 'n-1', verb: 'edit', text: 'restart takes 40 s' })).status, 200);
      assert.equal((await act({ id: 'n-2', verb: 'delete' })).status, 200);
      const [kept, ...rest] = stored();
      assert.deepEqual(
        [kept.text, kept.pinned, typeof kept.editedAt, rest.length],
        ['restart takes 40 s', true, 'string', 0],
      );

      const api = (await (await fetch(`${base}/api/v1/notes?check=site/web.md`)).json()) as {
        notes: { id: string; weight: number }[];
      };
      assert.deepEqual(
        api.notes.map((n) => n.id),
        ['n-1'],
      );
      assert.ok(api.notes[0]!.weight > 0.59, 'a pinned note does not fade');

      const receipts = fs
        .readFileSync(path.join(resultsDir, 'receipts.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        receipts.map((r) => [r.kind, r.verb, r.note, r.after]),
        [
          ['note_changed', 'pin', 'n-1', undefined],
          ['note_changed', 'edit', 'n-1', 'restart takes 40 s'],
          ['note_changed', 'delete', 'n-2', undefined],
        ],
      );
      assert.match(receipts[0].by, /^bearer token from 127\.0\.0\.1$/);
    } finally {
      server.close();
    }
  });

  it('sends a browser back to a check whose id is not ASCII, and a handler that throws answers 500 without ending the server', async () => {
    const { sessionValue, csrfValue, SESSION_COOKIE } = await import('./auth.js');
    const alertsToken = 'alerts-token-0123456789abcdef';
    const { server, base } = await consoleFor(
      { CLAUDEOPS_CONSOLE_TOKEN: token, CLAUDEOPS_ALERTS_TOKEN: alertsToken },
      {},
      seed,
    );
    try {
      const pinned = await fetch(`${base}/actions/note`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `${SESSION_COOKIE}=${sessionValue(token)}`,
          origin: base,
        },
        body: new URLSearchParams({
          csrf: csrfValue(token),
          id: 'n-1',
          verb: 'pin',
          check: 'site/db\u2013prod.md',
        }).toString(),
      });
      assert.equal(pinned.status, 303);
      assert.equal(pinned.headers.get('location'), '/checks/site/db%E2%80%93prod.md');
    } finally {
      server.close();
    }
    const throwing = await consoleFor(
      { CLAUDEOPS_ALERTS_TOKEN: alertsToken },
      {
        control: {
          runNow: () => 'started',
          stop: () => false,
          nextCycleAt: () => undefined,
          approved: () => undefined,
          alerts: () => {
            throw new Error('boom');
          },
        },
      },
    );
    try {
      const posted = await fetch(`${throwing.base}/api/v1/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alertsToken}` },
        body: JSON.stringify({ name: 'x' }),
      });
      assert.equal(posted.status, 500);
      assert.equal((await fetch(`${throwing.base}/healthz`)).status, 200, 'the server goes on');
    } finally {
      throwing.server.close();
    }
  });

  it('records nothing of an alert whose sender hung up mid-body, and refuses an oversize one as 413, recorded', async () => {
    const alertsToken = 'alerts-token-0123456789abcdef';
    const taken: unknown[] = [];
    const { server, base } = await consoleFor(
      { CLAUDEOPS_ALERTS_TOKEN: alertsToken },
      {
        control: {
          runNow: () => 'started',
          stop: () => false,
          nextCycleAt: () => undefined,
          approved: () => undefined,
          alerts: (p) => (taken.push(p), { outcome: 'nothing to start', alerts: [] }),
        },
      },
    );
    try {
      const net = await import('node:net');
      const { port } = new URL(base);
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `POST /api/v1/alerts HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${alertsToken}\r\ncontent-length: 5000\r\n\r\n{"na`,
          );
          setTimeout(() => (socket.destroy(), resolve()), 200);
        });
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(taken, [], 'a body cut short is no payload');
      const big = await fetch(`${base}/api/v1/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alertsToken}` },
        body: 'x'.repeat(300 * 1024),
      });
      assert.equal(big.status, 413);
      assert.deepEqual(taken, [{ ok: false, problems: ['the body is over 262144 bytes'] }]);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      server.close();
    }
  });
});
