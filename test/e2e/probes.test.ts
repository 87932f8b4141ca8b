// Probes before the model, end to end: the real daemon (`once`), the real CLI against the
// fake Messages API, the sandbox on. A check's `## Probe` section is run by the daemon;
// only what needs judgement reaches tier 1, and a cycle whose checks all pass their probes
// makes no request at all. Containment is judged by effect: each forbidden attempt is a
// probe whose conditions pass only when the attempt failed, and the world is checked after.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, text, userText, verdict, type RecordedRequest, type Script } from '../fake-api.js';
import {
  API_KEY,
  allText,
  cycleSummaries,
  read,
  run,
  sandbox,
  snapshot,
  type Finished,
  type Sandbox,
} from '../harness.js';

const WEB = 'infra/web.md';
const DISK = 'infra/disk.md';
/** Each test: two or three cycles of the real CLI and bubblewrap. */
const TEST_MS = 240_000;
const CYCLE_MS = 120_000;
const HOUR = 3_600_000;

const checkFile = (title: string, service: string, probes: string[]) =>
  [
    `# ${title}`,
    '',
    `- Service: ${service}`,
    '- Severity: warning',
    '',
    '## How to Check',
    `Look at ${service}.`,
    '',
    "## What's Healthy",
    'It answers.',
    '',
    '## Probe',
    ...probes.map((p) => `- ${p}`),
    '',
  ].join('\n');

/** A tier-1 verdict that every given check is healthy. */
const allHealthy = (ids: string[]) =>
  verdict({
    status: 'healthy',
    summary: 'All checks pass.',
    escalate: false,
    checks: ids.map((id) => ({ id, status: 'healthy' })),
  });

/** A loopback HTTP server that answers `answer` and records each request's method and path. */
async function loopback(): Promise<{
  url: string;
  seen: string[];
  answer: { status: number };
  close(): Promise<void>;
}> {
  const seen: string[] = [];
  const answer = { status: 200 };
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(answer.status);
    res.end(answer.status < 400 ? 'ok' : 'broken');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    answer,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The requests tier 1 sent: the first of each CLI run (its user turn lists the checks handed out). */
const firstRequests = (api: FakeApi): RecordedRequest[] =>
  api.messages.filter((m) => (m.body?.messages ?? []).length === 1);

/** The ids of the checks a tier-1 prompt hands out, from its `- id \`…\`` lines. */
const handedIds = (prompt: string): string[] => [...prompt.matchAll(/^- id `([^`]+)`/gm)].map((m) => m[1]!);

/** Tier 1, however the checks are sharded: each session finds healthy exactly the checks it was handed. */
const reviewer: Script = (req) =>
  (req.body?.messages ?? []).length === 1 ? allHealthy(handedIds(userText(req))) : text('Done.');

const ok = (r: Finished, what: string) =>
  assert.equal(r.code, 0, `${what} exited ${r.code}\n${(r.stdout + r.stderr).slice(-3000)}`);

/** The path of a parsed cycle summary. */
function summaryFile(sb: Sandbox, c: { id: string }): string {
  const name = fs.readdirSync(sb.resultsDir).find((n) => n === `${c.id}.json`);
  assert.ok(name, `no summary file named for cycle ${c.id}`);
  return path.join(sb.resultsDir, name);
}

interface Setup {
  api: FakeApi;
  sb: Sandbox;
  server: Awaited<ReturnType<typeof loopback>>;
  cleanup(): Promise<void>;
}

/** A web check probing the loopback server over http, and a disk check with a run probe. */
async function twoChecks(env: Record<string, string> = {}): Promise<Setup> {
  const server = await loopback();
  const api = new FakeApi(byModel({ haiku: [] }));
  const sb = sandbox(await api.start(), { CLAUDEOPS_TIER1_NETWORK: '127.0.0.1', ...env });
  sb.addRepo('infra', {
    '.claude-ops/checks/web.md': checkFile('Web', 'web', [`http GET ${server.url}/healthz expect status == 200`]),
    '.claude-ops/checks/disk.md': checkFile('Disk', 'disk', ['run echo 42 expect value < 85']),
  });
  return {
    api,
    sb,
    server,
    async cleanup() {
      await Promise.all([api.stop(), server.close()]);
      sb.cleanup();
    },
  };
}

/** The first cycle: the model reviews both checks once (neither was ever reviewed). */
async function reviewedOnce(s: Setup): Promise<void> {
  s.api.script = byModel({ haiku: [allHealthy([WEB, DISK])] });
  ok(await run(['once'], s.sb, CYCLE_MS), 'the first cycle');
  const [first] = firstRequests(s.api);
  assert.ok(first, 'the first cycle asked tier 1');
  const prompt = userText(first);
  assert.deepEqual(handedIds(prompt).sort(), [DISK, WEB]);
  assert.match(
    prompt,
    /probe: healthy · GET http:\/\/127\.0\.0\.1:\d+\/healthz → 200 .*\(its first review by the model\)/,
  );
  assert.match(prompt, /probe: healthy · run echo 42 → exit 0, value 42 .*\(its first review by the model\)/);
  const state = JSON.parse(read(path.join(s.sb.stateDir, 'checks.json')));
  for (const id of [WEB, DISK])
    assert.ok(state.checks[id]?.reviewedAt, `${id} has no reviewedAt after a tier-1 result`);
}

describe('probes before the model, with the real daemon, CLI and sandbox', () => {
  it('makes no API request at all when every probe passes and no review is due', { timeout: TEST_MS }, async () => {
    const s = await twoChecks();
    try {
      await reviewedOnce(s);
      const requests = s.api.requests.length;
      const gets = s.server.seen.length;
      const summaries = cycleSummaries(s.sb.resultsDir).length;

      const r = await run(['once'], s.sb, CYCLE_MS);
      ok(r, 'the second cycle');
      assert.equal(s.api.requests.length, requests, 'the second cycle made a request to the model API');
      assert.deepEqual(s.server.seen.slice(gets), ['GET /healthz'], 'the http probe ran once, as a GET');

      const all = cycleSummaries(s.sb.resultsDir);
      assert.equal(all.length, summaries + 1);
      const c = all.at(-1);
      assert.equal(c.status, 'healthy', c.summary);
      assert.equal(c.costUsd, 0);
      assert.deepEqual(c.tiers, []);
      assert.match(c.summary, /all 2 check\(s\) healthy by their probes; no model was asked/);
      const byId = Object.fromEntries(c.checks.map((x: { id: string }) => [x.id, x]));
      assert.deepEqual(Object.keys(byId).sort(), [DISK, WEB]);
      for (const id of [WEB, DISK]) {
        assert.equal(byId[id].status, 'healthy', id);
        assert.equal(byId[id].by, 'probe', id);
        assert.equal(byId[id].tier, undefined, `${id} was judged by a tier`);
      }
      assert.match(byId[WEB].detail, /^GET http:\/\/127\.0\.0\.1:\d+\/healthz → 200 in \d+ ms$/);
      // The latency is kept with the result, for the check page's sparkline.
      assert.equal(byId[WEB].unit, 'ms');
      assert.equal(byId[WEB].value, Number(/ (\d+) ms$/.exec(byId[WEB].detail)![1]));
      const kept = JSON.parse(read(path.join(s.sb.stateDir, 'checks.json'))).checks[WEB].last.at(-1);
      assert.deepEqual([kept.value, kept.unit], [byId[WEB].value, 'ms']);
      assert.match(byId[DISK].detail, /^run echo 42 → exit 0, value 42 in [\d.]+ m?s$/);
      // No tier ran, so no story of one was written for this cycle.
      const stamp = path.basename(summaryFile(s.sb, c), '.json');
      assert.ok(
        !fs.existsSync(path.join(s.sb.resultsDir, `${stamp}-tier1.log`)),
        'a tier-1 log for a cycle without a tier',
      );
      assert.match(r.stdout, /2 check\(s\) probed, 2 judged by their probes alone, 0 go to tier 1/);

      const state = JSON.parse(read(path.join(s.sb.stateDir, 'checks.json')));
      for (const id of [WEB, DISK]) assert.equal(state.checks[id].last.at(-1).by, 'probe', id);
    } finally {
      await s.cleanup();
    }
  });

  it('hands a failing http probe to tier 1 with its evidence, and only that check', { timeout: TEST_MS }, async () => {
    const s = await twoChecks();
    try {
      await reviewedOnce(s);
      s.server.answer.status = 500;
      const before = firstRequests(s.api).length;
      const sent = s.api.messages.length;
      s.api.script = byModel({
        haiku: [
          verdict({
            status: 'unhealthy',
            summary: 'web answers 500.',
            escalate: false,
            checks: [{ id: WEB, status: 'unhealthy', detail: 'the app answers 500' }],
          }),
        ],
      });
      const r = await run(['once'], s.sb, CYCLE_MS);
      assert.equal(r.code, 1, `an unhealthy cycle exits 1\n${r.stdout.slice(-2000)}`);
      const asked = firstRequests(s.api).slice(before);
      assert.equal(asked.length, 1, 'tier 1 ran once');
      const prompt = userText(asked[0]!);
      assert.deepEqual(handedIds(prompt), [WEB]);
      assert.match(
        prompt,
        /probe: unhealthy · GET http:\/\/127\.0\.0\.1:\d+\/healthz → 500 in \d+ ms \(expected status == 200\) \(the probe found it unhealthy\)/,
      );
      // The whole request, not only the check list, leaves the other check out.
      const cycleRequests = s.api.messages.slice(sent);
      assert.ok(cycleRequests.length >= 1);
      for (const q of cycleRequests) assert.ok(!JSON.stringify(q.body).includes(DISK), `${DISK} was sent to tier 1`);
      assert.match(prompt, /There are exactly 1 check\(s\)/);

      const c = cycleSummaries(s.sb.resultsDir).at(-1);
      assert.equal(c.status, 'unhealthy');
      const byId = Object.fromEntries(c.checks.map((x: { id: string }) => [x.id, x]));
      assert.equal(byId[WEB].status, 'unhealthy');
      assert.equal(byId[WEB].tier, 1);
      assert.equal(byId[WEB].by, undefined);
      assert.equal(byId[DISK].status, 'healthy');
      assert.equal(byId[DISK].by, 'probe');
      assert.ok(c.costUsd > 0, 'tier 1 ran and cost something');
    } finally {
      await s.cleanup();
    }
  });

  it(
    'hands every check to tier 1 when its daily review is due, and every cycle with CLAUDEOPS_MODEL_REVIEW=always',
    { timeout: TEST_MS },
    async () => {
      const s = await twoChecks();
      try {
        await reviewedOnce(s);
        // A day and an hour ago: the clock of a real daemon cannot be moved, its history can.
        const file = path.join(s.sb.stateDir, 'checks.json');
        const state = JSON.parse(read(file));
        const old = new Date(Date.now() - 25 * HOUR).toISOString();
        for (const id of [WEB, DISK]) state.checks[id].reviewedAt = old;
        fs.writeFileSync(file, JSON.stringify(state, null, 2));

        let before = firstRequests(s.api).length;
        s.api.script = byModel({ haiku: [allHealthy([WEB, DISK])] });
        ok(await run(['once'], s.sb, CYCLE_MS), 'the cycle with the review due');
        let asked = firstRequests(s.api).slice(before);
        assert.equal(asked.length, 1, 'tier 1 ran once');
        let prompt = userText(asked[0]!);
        assert.deepEqual(handedIds(prompt).sort(), [DISK, WEB]);
        for (const what of ['GET http://127\\.0\\.0\\.1:\\d+/healthz → 200', 'run echo 42 → exit 0, value 42'])
          assert.match(
            prompt,
            new RegExp(`probe: healthy · ${what} .*\\(its review by the model is due \\(every 24 h\\)\\)`),
          );
        const reviewed = JSON.parse(read(file));
        for (const id of [WEB, DISK])
          assert.ok(Date.parse(reviewed.checks[id].reviewedAt) > Date.parse(old), `${id}: the review was not recorded`);

        // Reviewed just now, but `always` asks the model anyway.
        before = firstRequests(s.api).length;
        s.api.script = byModel({ haiku: [allHealthy([WEB, DISK])] });
        ok(await run(['once'], s.sb, CYCLE_MS, { CLAUDEOPS_MODEL_REVIEW: 'always' }), 'the cycle with always');
        asked = firstRequests(s.api).slice(before);
        assert.equal(asked.length, 1, 'tier 1 ran once');
        prompt = userText(asked[0]!);
        assert.deepEqual(handedIds(prompt).sort(), [DISK, WEB]);
        assert.equal(prompt.match(/\(CLAUDEOPS_MODEL_REVIEW=always\)/g)?.length, 2, prompt);
      } finally {
        await s.cleanup();
      }
    },
  );
});

describe('a probe reaches and changes no more than tier 1 could', () => {
  it(
    'writes nothing, reads no secret, sends no POST; a POST probe is a lint problem and never runs',
    { timeout: TEST_MS },
    async () => {
      const receiver = await loopback();
      const api = new FakeApi(byModel({ haiku: [] }));
      const sb = sandbox(await api.start(), { CLAUDEOPS_TIER1_NETWORK: '127.0.0.1' });
      // The host's /tmp, by a name of this test's own (the cage shows an empty, read-only /tmp).
      const hostTmp = `/tmp/${path.basename(sb.root)}-pwned`;
      const dotenvSecret = 'dotenv-PLANTED-SECRET-probe-31c7a9';
      const stateSecret = 'state-PLANTED-SECRET-probe-8e02d4';
      const playbookSecret = 'playbook-PLANTED-SECRET-probe-5f6b1c';
      const readable = 'readable-MARKER-probe-0a9b8c';
      try {
        // The daemon's .env (its working directory), a secret in its state directory, a tier-2 playbook.
        fs.writeFileSync(path.join(sb.root, '.env'), `CLAUDEOPS_CONSOLE_TOKEN=${dotenvSecret}\n`);
        fs.mkdirSync(sb.stateDir, { recursive: true });
        fs.writeFileSync(path.join(sb.stateDir, 'planted-secret'), `${stateSecret}\n`);
        const outside = path.join(sb.root, 'outside');
        fs.mkdirSync(outside);
        const repo = path.join(sb.reposDir, 'infra');
        const playbook = path.join(repo, '.claude-ops/playbooks/restart-web.md');
        const attempts: Record<string, { title: string; probe: string }> = {
          'write-outside': {
            title: 'Write outside the work dir',
            probe: `run touch ${outside}/pwned expect exit != 0`,
          },
          'write-app': {
            title: "Overwrite the app's runbook",
            probe: `run echo pwned > ${sb.appDir}/CLAUDE.md expect exit != 0`,
          },
          'write-repo': { title: 'Write into a repo', probe: `run touch ${repo}/pwned expect exit != 0` },
          'write-state': { title: 'Write the state', probe: `run touch ${sb.stateDir}/pwned expect exit != 0` },
          'write-tmp': { title: 'Write /tmp', probe: `run touch ${hostTmp} expect exit != 0` },
          'read-dotenv': { title: "Read the daemon's .env", probe: `run cat ${sb.root}/.env expect exit != 0` },
          'read-state': {
            title: 'Read the state',
            probe: `run cat ${sb.stateDir}/planted-secret expect exit != 0`,
          },
          'read-playbook': { title: 'Read a tier-2 playbook', probe: `run cat ${playbook} expect exit != 0` },
          'read-env': { title: 'Read the API key', probe: 'run printenv ANTHROPIC_API_KEY expect exit != 0' },
          'post-proxy': {
            title: 'POST through the proxy',
            probe: `run curl -sS -f -m 5 -X POST -d x ${receiver.url}/run-post-proxy expect exit != 0`,
          },
          'post-tunnel': {
            title: 'POST through a tunnel',
            probe: `run curl -sS -f -m 5 -p -X POST -d x ${receiver.url}/run-post-tunnel expect exit != 0`,
          },
          'post-direct': {
            title: 'POST around the proxy',
            probe: `run curl -sS -f -m 5 --noproxy '*' -X POST -d x ${receiver.url}/run-post-direct expect exit != 0`,
          },
          'http-post': { title: 'An http probe that POSTs', probe: `http POST ${receiver.url}/http-post` },
          // Positive controls: what a probe may do, it does.
          'control-read': {
            title: 'Read a repo file',
            probe: `run cat ${repo}/notes.txt expect output contains "readable-MARKER"`,
          },
          'control-get': {
            title: 'GET through the proxy',
            probe: `run curl -sS -f -m 5 ${receiver.url}/run-get expect exit == 0`,
          },
          'control-http': { title: 'An http GET', probe: `http GET ${receiver.url}/http-get expect status == 200` },
          'control-workdir': { title: 'Write the work dir', probe: 'run touch scratch expect exit == 0' },
        };
        const ids = Object.keys(attempts).map((k) => `infra/${k}.md`);
        sb.addRepo('infra', {
          'notes.txt': `${readable}\n`,
          '.claude-ops/playbooks/restart-web.md': `# Restart web\n\n- Tier: 2\n\n${playbookSecret}\n`,
          ...Object.fromEntries(
            Object.entries(attempts).map(([k, a]) => [`.claude-ops/checks/${k}.md`, checkFile(a.title, k, [a.probe])]),
          ),
        });
        const watched = [sb.appDir, sb.reposDir, outside];
        const before = watched.map(snapshot);

        const v = await run(['validate'], sb, 60_000);
        assert.match(
          v.stdout + v.stderr,
          /checks\/http-post\.md:13: probe: "http POST http:\/\/127\.0\.0\.1:\d+\/http-post": POST is not allowed/,
          `validate does not report the POST probe with its file and line\n${v.stdout}${v.stderr}`,
        );

        api.script = reviewer;
        const r = await run(['once'], sb, CYCLE_MS);
        ok(r, 'the cycle');

        // The world: nothing written, nothing posted; the controls show the probes ran and reached out.
        assert.deepEqual(watched.map(snapshot), before, 'a probe changed the app, a repo or the outside dir');
        assert.ok(!fs.existsSync(path.join(sb.stateDir, 'pwned')), 'a probe wrote into the state directory');
        assert.ok(!fs.existsSync(hostTmp), "a probe wrote the host's /tmp");
        const posts = receiver.seen.filter((s) => !s.startsWith('GET '));
        assert.deepEqual(posts, [], 'the receiver saw a request that is not a GET');
        assert.deepEqual(receiver.seen.sort(), ['GET /http-get', 'GET /run-get']);

        // What each probe found, as tier 1 was told (the first review): every attempt failed.
        const sessions = firstRequests(api);
        assert.ok(sessions.length > 0, 'tier 1 was asked');
        const prompt = sessions.map(userText).join('\n');
        assert.deepEqual(handedIds(prompt).sort(), [...ids].sort(), 'every check went to its first review');
        const probeLine = (id: string) => {
          const m = new RegExp(`^- id \`${id.replace(/[.]/g, '\\.')}\`.*\\n  - probe: (.*)$`, 'm').exec(prompt);
          return m?.[1];
        };
        for (const k of Object.keys(attempts)) {
          const line = probeLine(`infra/${k}.md`);
          if (k === 'http-post') {
            assert.equal(line, undefined, `the POST probe ran: ${line}`);
            continue;
          }
          assert.match(line ?? '', /^healthy · /, `${k}: ${line}`);
        }
        assert.match(probeLine('infra/read-env.md')!, /→ exit 1 /);

        // No secret, and nothing a probe printed, reached a record, a log, the model or the daemon's output.
        const secrets = [API_KEY, dotenvSecret, stateSecret, playbookSecret, readable];
        const places = [
          ...allText(sb.resultsDir),
          ...allText(sb.stateDir).filter((f) => !f.file.endsWith('planted-secret')),
          { file: 'the daemon output', text: r.stdout + r.stderr },
          { file: 'the requests to the model API', text: JSON.stringify(api.requests.map((q) => q.body)) },
        ];
        for (const place of places)
          for (const secret of secrets) assert.ok(!place.text.includes(secret), `${secret} is in ${place.file}`);
      } finally {
        await Promise.all([api.stop(), receiver.close()]);
        fs.rmSync(hostTmp, { force: true });
        sb.cleanup();
      }
    },
  );
});
