// Approvals, acknowledgements, silences and maintenance windows, end to end: the real
// CLI against the fake API, Debian's Apprise to a loopback receiver, and the links
// taken out of the messages it received, followed as an operator's phone would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeApi, byModel, systemText, toolNames, toolUse, verdict } from '../fake-api.js';
import { Forward } from '../forward.js';
import {
  ledger,
  cycleSummaries,
  httpPort,
  idle,
  read,
  run,
  sandbox,
  start,
  type Sandbox,
  type Started,
} from '../harness.js';
import { Receiver, type Received } from '../receiver.js';

const hasApprise = spawnSync('apprise', ['--version']).status === 0;
const SKIP = hasApprise ? false : 'Debian’s apprise is not installed (.ci/run installs it)';
const TOKEN = 'console-token-0123456789abcdef';
const SECRET = 'approval-secret-0123456789abcdef0123456789';

const webCheck = '# Web\n\n- Service: web\n\n## How\ncurl http://web/\n\n## Healthy when\n200\n';
const checkOf = (service: string) => `# ${service}\n\n- Service: ${service}\n\n## How\nlook\n\n## Healthy when\nup\n`;

/** A link in a received message, by its words. */
function linkIn(messages: Received[], title: RegExp, label: string): string {
  const m = messages.find((x) => title.test(x.title));
  assert.ok(m, `no message titled ${title}; got ${JSON.stringify(messages.map((x) => x.title))}`);
  const found = new RegExp(`${label}[^\\n]*?(https?://\\S+)`).exec(m.message);
  assert.ok(found, `no "${label}" link in: ${m.message}`);
  return found[1]!;
}

/** The approve link of one proposal. */
const linkOf = (messages: Received[], id: string): string =>
  linkIn(
    messages.filter((m) => m.message.includes(`Proposal ${id}.`)),
    /approve the/,
    'Approve',
  );

/** Follows a link's confirm form: the POST its page makes, with the link's own fields. */
const confirm = (link: string) => {
  const u = new URL(link);
  return fetch(`${u.origin}${u.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: u.searchParams.toString(),
  });
};

interface Rig {
  api: FakeApi;
  sb: Sandbox;
  receiver: Receiver;
  daemon: Started;
  /** The console, at CLAUDEOPS_PUBLIC_URL. */
  base: string;
  /** A directory the scripted model aims at. */
  world: string;
  stop(): Promise<void>;
}

/**
 * The daemon with its console behind a front listening since before it started (its
 * address is CLAUDEOPS_PUBLIC_URL), Apprise to a receiver, and a repo with the checks;
 * after its first cycle.
 */
async function rig(
  env: (world: string) => Record<string, string>,
  checks: Record<string, string>,
  script: (world: string) => Parameters<typeof byModel>[0],
  timeoutMs: number,
): Promise<Rig> {
  const receiver = new Receiver();
  const front = new Forward();
  const base = await front.start();
  const api = new FakeApi(byModel({}));
  const sb = sandbox(await api.start(), {
    CLAUDEOPS_APPRISE_URLS: await receiver.start(),
    CLAUDEOPS_HTTP_PORT: '0',
    CLAUDEOPS_PUBLIC_URL: base,
    CLAUDEOPS_CONSOLE_TOKEN: TOKEN,
    CLAUDEOPS_INTERVAL: '3600',
  });
  const world = path.join(sb.root, 'world');
  fs.mkdirSync(world);
  Object.assign(sb.env, env(world));
  api.script = byModel(script(world));
  sb.addRepo('infra', checks);
  const daemon = start(['run'], sb, timeoutMs);
  const stop = async () => {
    daemon.child.kill('SIGTERM');
    await daemon.done;
    await front.stop();
    await api.stop();
    await receiver.stop();
    sb.cleanup();
  };
  try {
    front.to(await httpPort(daemon, 60_000));
    await waitCycles(daemon, 1, 120_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { api, sb, receiver, daemon, base, world, stop };
}

const receipts = (sb: Sandbox): any[] => ledger(sb.resultsDir);
const cyclesEnded = (d: Started) => (d.output().match(/"msg":"cycle ended/g) ?? []).length;
const waitCycles = (d: Started, n: number, ms: number) =>
  d.waitFor(new RegExp(`("msg":"cycle ended[\\s\\S]*){${n}}`), ms);

describe('approvals from the notification', { skip: SKIP }, () => {
  const db = { id: 'infra/db.md', status: 'unhealthy', detail: 'replication stopped' };
  const unhealthy = verdict({
    status: 'unhealthy',
    summary: 'web is down (502); db replication stopped.',
    escalate: true,
    checks: [{ id: 'infra/web.md', status: 'unhealthy', detail: '502' }, db],
  });
  // web recovers after the approved restart; db stays down, and tier 1 does not ask to escalate it again.
  const webHealthy = verdict({
    status: 'unhealthy',
    summary: 'web answers 200; db replication stopped.',
    escalate: false,
    checks: [{ id: 'infra/web.md', status: 'healthy', detail: '200' }, db],
  });
  let r: Rig;
  let api: FakeApi, sb: Sandbox, daemon: Started, receiver: Receiver, world: string;
  const proposal = (name: string, service = 'web') => ({
    service,
    action: 'restart',
    commands: [`touch ${world}/${name}`],
    why: `${service} returns 502 since its last OOM kill`,
    expected: `${service} answers`,
    rollback: 'none needed',
  });

  before(async () => {
    // The world is writable to tier 3: only the approval gate stands between it and the world.
    r = await rig(
      (w) => ({ CLAUDEOPS_APPROVAL_SECRET: SECRET, CLAUDEOPS_TIER3_WRITABLE: w }),
      { '.claude-ops/checks/web.md': webCheck, '.claude-ops/checks/db.md': checkOf('db') },
      (w) => {
        world = w;
        return {
          haiku: [unhealthy, webHealthy],
          sonnet: [
            verdict({
              status: 'unhealthy',
              summary: 'A restart is needed; handing up.',
              escalate: true,
              checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
            }),
          ],
          opus: [
            toolUse('Bash', { command: 'docker restart web', description: 'restart web' }),
            toolUse('Bash', { command: `touch ${w}/restarted; touch ${w}/sneaky`, description: 'restart it my way' }),
            toolUse('Write', { file_path: `${w}/written`, content: 'x' }),
            verdict({
              status: 'unhealthy',
              summary: 'web needs a restart; proposed.',
              escalate: false,
              checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
              proposals: [
                proposal('restarted'),
                proposal('too-late', 'db'),
                proposal('changed', 'db'),
                proposal('twice'),
              ],
            }),
          ],
        };
      },
      280_000,
    );
    ({ api, sb, daemon, receiver, world } = r);
  });
  after(async () => r?.stop());

  it('runs tier 3 in propose mode: its own attempts change nothing, and the rule denial is in its events', () => {
    const [first] = cycleSummaries(sb.resultsDir);
    const t3 = first.tiers.find((t: any) => t.tier === 3);
    assert.equal(t3.containment.propose, true);
    assert.equal(t3.containment.readOnly, true);
    assert.ok(
      t3.permissionDenials.some((d: string) => d.includes('docker restart web')),
      JSON.stringify(t3.permissionDenials),
    );
    const events = read(path.join(sb.resultsDir, t3.eventsFile));
    assert.match(events, /"permission_denials":\[[^\]]*docker restart web/);
    const opus = api.messages.filter((r) => String(r.body.model).includes('opus'));
    assert.ok(!toolNames(opus[0]!).includes('Write') && !toolNames(opus[0]!).includes('Edit'));
    assert.deepEqual(fs.readdirSync(world), [], 'nothing written by the model');
    assert.equal(first.proposals.length, 4);
  });

  it('approves from the message: the GET only shows, the POST runs exactly once, then a verification cycle and an outcome message', async () => {
    const p1 = cycleSummaries(sb.resultsDir)[0].proposals[0].id;
    const approve = linkOf(receiver.received, p1);
    assert.match(approve, /^http:\/\/127\.0\.0\.1:\d+\/approve\?a=approve/);
    const page = await fetch(approve);
    assert.equal(page.status, 200);
    const shown = await page.text();
    assert.ok(shown.includes(`$ touch ${world}/restarted`), shown);
    assert.ok(shown.includes('Approve: run these commands'));
    assert.equal(fs.existsSync(path.join(world, 'restarted')), false, 'a GET executes nothing');

    const res = await confirm(approve);
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(await res.text(), /Approved\./);
    await waitCycles(daemon, 2, 120_000);
    assert.ok(fs.existsSync(path.join(world, 'restarted')));
    const [, second] = cycleSummaries(sb.resultsDir);
    assert.equal(second.trigger, 'approval');
    assert.equal(second.checks.find((c: any) => c.id === 'infra/web.md').status, 'healthy');
    // The verification is recorded right after the cycle's own records.
    await until(() => receipts(sb).some((r) => r.kind === 'approval_verified'), 10_000);
    const mine = receipts(sb)
      .filter((r) => r.proposal === p1)
      .map((r) => r.kind);
    assert.deepEqual(mine, ['approval_proposed', 'approval_approved', 'approval_executed', 'approval_verified']);
    const executed = receipts(sb).find((r) => r.kind === 'approval_executed' && r.proposal === p1);
    assert.deepEqual([executed.ok, executed.exit_codes], [true, [0]]);
    assert.equal(receipts(sb).find((r) => r.kind === 'approval_verified' && r.proposal === p1).status, 'healthy');
    assert.equal(
      receipts(sb).find((r) => r.kind === 'approval_approved' && r.proposal === p1).by,
      'signed link from 127.0.0.1',
    );
    await until(
      () => receiver.received.some((m) => /the approved restart of web ran; web is now healthy/.test(m.title)),
      10_000,
    );
    assert.match(read(path.join(sb.resultsDir, `approval-${p1}.log`)), /run {6}touch .*restarted[\s\S]*--- end · ok/);

    // The run as the daemon logged it (JSON off a terminal): one header record, then a record of its kind per line, then the end.
    const records = daemon
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((x) => 'kind' in x);
    const start = records.findIndex((x) => typeof x.msg === 'string' && x.msg.includes(`approved proposal ${p1} `));
    assert.ok(start >= 0, 'the run is in the daemon log');
    assert.equal(records[start].kind, 'header');
    const story = records.slice(
      start + 1,
      start + 1 + records.slice(start + 1).findIndex((x) => x.kind === 'end' || String(x.msg).includes('--- end')) + 1,
    );
    assert.ok(story.length > 1, JSON.stringify(records.slice(start, start + 10)));
    assert.equal(story.at(-1).kind, 'end', JSON.stringify(story));
    for (const x of story.slice(0, -1))
      assert.ok(
        ['proposal', 'sandbox', 'run', 'output', 'stderr', 'egress', 'exit'].includes(x.kind),
        `a record of kind ${x.kind}: ${x.msg}`,
      );
    for (const x of [records[start], ...story]) assert.match(String(x.msg), /\S/, 'no record with an empty msg');
    assert.deepEqual(
      story.filter((x) => x.kind === 'run').map((x) => x.msg.replace(/^\S+ run +/, '')),
      [`touch ${world}/restarted`],
    );
  });

  it('refuses, records, and runs nothing for: the same link again, a changed signature, changed content, an expired link', async () => {
    const proposals = cycleSummaries(sb.resultsDir)[0].proposals;
    const links = proposals.map((p: any) => linkOf(receiver.received, p.id));
    const [again, forged, changed, late] = [
      links[0],
      links[1].replace(/sig=([0-9a-f])/, (_: string, c: string) => `sig=${c === '0' ? '1' : '0'}`),
      links[2],
      links[1],
    ];
    const mtime = fs.statSync(path.join(world, 'restarted')).mtimeMs;

    const r1 = await confirm(again);
    assert.equal(r1.status, 409);
    assert.match(await r1.text(), /already executed/);

    const r2 = await confirm(forged);
    assert.equal(r2.status, 403, 'a forged confirm shows nothing either');
    const refusal = await r2.text();
    assert.match(refusal, /not genuine/);
    assert.ok(!refusal.includes(world), refusal);
    assert.equal((await fetch(forged)).status, 403, 'a forged link shows nothing');

    const file = path.join(sb.stateDir, 'approvals.json');
    const state = JSON.parse(read(file));
    state.proposals[proposals[2].id].commands = [`touch ${world}/evil`];
    fs.writeFileSync(file, JSON.stringify(state));
    const r3 = await confirm(changed);
    assert.equal(r3.status, 409);
    assert.match(await r3.text(), /changed since it was proposed/);

    // The db proposals' time runs out: their expiry, as the desk keeps it, moves into the past.
    // (A link past its own exp is refused the same way, as the unit tests check.)
    const aged = JSON.parse(read(file));
    for (const p of [proposals[1], proposals[2]])
      aged.proposals[p.id].expiresAt = new Date(Date.now() - 1000).toISOString();
    fs.writeFileSync(file, JSON.stringify(aged));
    const r4 = await confirm(late);
    assert.equal(r4.status, 409);
    assert.match(await r4.text(), /expired/);

    // A wrongly approved run would have started its cycle before the answer: idle, it has ended.
    await idle(r.base, 90_000);
    assert.deepEqual(fs.readdirSync(world).sort(), ['restarted']);
    assert.equal(fs.statSync(path.join(world, 'restarted')).mtimeMs, mtime, 'not touched again');
    const refused = receipts(sb).filter((r) => r.kind === 'approval_refused');
    assert.deepEqual(
      refused.map((r) => r.proposal),
      [proposals[0].id, proposals[1].id, proposals[2].id, proposals[1].id],
    );
    [/already executed/, /not genuine/, /changed since it was proposed/, /expired/].forEach((why, i) =>
      assert.match(refused[i].reason, why),
    );
    assert.ok(receipts(sb).some((r) => r.kind === 'approval_expired' && r.proposal === proposals[1].id));
    assert.equal(receipts(sb).filter((r) => r.kind === 'approval_executed').length, 1);
    const verify = await run(['verify-receipts'], sb, 30_000);
    assert.equal(verify.code, 0, verify.stdout);
  });

  it('expired the proposal about web when web was healthy again, with a receipt; approving it on the console runs nothing', async () => {
    const [first, second] = cycleSummaries(sb.resultsDir);
    const moot = first.proposals[3];
    const expired = receipts(sb).filter((x) => x.proposal === moot.id);
    assert.deepEqual(
      expired.map((x) => x.kind),
      ['approval_proposed', 'approval_expired'],
    );
    assert.deepEqual([expired[1].reason, expired[1].cycle, expired[1].hash], ['recovered', second.id, moot.hash]);
    assert.equal(JSON.parse(read(path.join(sb.stateDir, 'approvals.json'))).proposals[moot.id].state, 'expired');
    const res = await fetch(`${sb.env.CLAUDEOPS_PUBLIC_URL}/actions/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `verb=approve&id=${moot.id}&h=${moot.hash}`,
    });
    assert.equal(res.status, 409);
    await idle(r.base, 90_000);
    assert.ok(!fs.existsSync(path.join(world, 'twice')));
    assert.equal(receipts(sb).filter((x) => x.kind === 'approval_executed').length, 1);
    // The db proposals were about a service still down: they stayed pending until their time ran out.
    assert.ok(
      !receipts(sb).some((x) => x.kind === 'approval_expired' && x.reason === 'recovered' && x.proposal !== moot.id),
    );
  });

  it('lists proposals on the console, and deciding there needs the token', async () => {
    const base = sb.env.CLAUDEOPS_PUBLIC_URL!;
    const page = await (await fetch(`${base}/approvals`)).text();
    assert.match(page, /Waiting for a human/);
    assert.match(page, /executed/);
    const id = cycleSummaries(sb.resultsDir)[0].proposals[2].id;
    const anon = await fetch(`${base}/actions/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `verb=deny&id=${id}&h=x`,
    });
    assert.equal(anon.status, 401);
  });
});

describe('the same proposal, cycle after cycle', { skip: SKIP }, () => {
  it('parks it once and tells the model it waits; a cycle that finds web healthy again expires it, and it can no longer be approved', async () => {
    const check = (status: string, escalate: boolean) =>
      verdict({ status, summary: `web is ${status}`, escalate, checks: [{ id: 'infra/web.md', status }] });
    const restart = (w: string, why: string) => ({
      service: 'web',
      action: 'restart',
      commands: [`touch ${w}/restarted`],
      why,
      expected: 'web answers 200',
      rollback: 'none needed',
    });
    const { api, sb, receiver, daemon, base, world, stop } = await rig(
      () => ({ CLAUDEOPS_APPROVAL_SECRET: SECRET }),
      { '.claude-ops/checks/web.md': webCheck },
      (w) => ({
        haiku: [check('unhealthy', true), check('unhealthy', true), check('healthy', false)],
        sonnet: [check('unhealthy', true), check('unhealthy', true)],
        opus: [
          verdict({
            status: 'unhealthy',
            summary: 'web needs a restart; proposed.',
            escalate: false,
            checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
            proposals: [restart(w, 'web returns 502')],
          }),
          verdict({
            status: 'unhealthy',
            summary: 'web still needs a restart.',
            escalate: false,
            checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
            proposals: [restart(w, 'web still returns 502, second cycle')],
          }),
        ],
      }),
      240_000,
    );
    const runNow = () =>
      fetch(`${base}/actions/run-now`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    const asks = () => receiver.received.filter((m) => /approve the restart of web\?/.test(m.title));
    const opus = () => api.messages.filter((m) => String(m.body.model).includes('opus'));
    try {
      const [first] = cycleSummaries(sb.resultsDir);
      assert.equal(first.proposals.length, 1);
      const p = first.proposals[0];
      await until(() => asks().length === 1, 10_000);
      assert.doesNotMatch(systemText(opus()[0]!), /Already waiting for a human/);

      assert.equal((await runNow()).status, 202);
      await waitCycles(daemon, 2, 90_000);
      const second = cycleSummaries(sb.resultsDir)[1];
      assert.equal(opus().length, 2, 'tier 3 ran again');
      assert.match(
        systemText(opus()[1]!),
        new RegExp(
          `Already waiting for a human[\\s\\S]*${p.id} \\(since [^)]*\\): restart of web: \`touch ${world}/restarted\``,
        ),
      );
      assert.deepEqual(second.proposals, [], 'not parked again');
      assert.ok(
        second.warnings.some((w: string) => w.includes(`proposal ${p.id}`) && w.includes('already pending')),
        JSON.stringify(second.warnings),
      );
      const state = JSON.parse(read(path.join(sb.stateDir, 'approvals.json')));
      assert.deepEqual(
        Object.values<any>(state.proposals).map((x) => [x.id, x.state]),
        [[p.id, 'pending']],
      );
      assert.equal(receipts(sb).filter((x) => x.kind === 'approval_proposed').length, 1);
      // A cycle's notifications are all sent before its "cycle ended" line.
      assert.equal(asks().length, 1, 'no second "approve the restart of web?"');

      assert.equal((await runNow()).status, 202);
      await waitCycles(daemon, 3, 90_000);
      const third = cycleSummaries(sb.resultsDir)[2];
      assert.equal(third.status, 'healthy');
      const mine = receipts(sb).filter((x) => x.proposal === p.id);
      assert.deepEqual(
        mine.map((x) => x.kind),
        ['approval_proposed', 'approval_expired'],
      );
      assert.deepEqual([mine[1].reason, mine[1].cycle], ['recovered', third.id]);
      const res = await confirm(linkOf(receiver.received, p.id));
      assert.equal(res.status, 409);
      await idle(base, 90_000);
      assert.deepEqual(fs.readdirSync(world), [], 'the restart never ran');
      assert.equal(cyclesEnded(daemon), 3, 'no verification cycle');
      assert.ok(!receipts(sb).some((x) => x.kind === 'approval_approved' || x.kind === 'approval_executed'));
      const verify = await run(['verify-receipts'], sb, 30_000);
      assert.equal(verify.code, 0, verify.stdout);
    } finally {
      await stop();
    }
  });
});

describe('approval while dry run is on', { skip: SKIP }, () => {
  it('parks the proposal but refuses to approve it, and runs nothing', async () => {
    const bad = verdict({
      status: 'unhealthy',
      summary: 'web is down.',
      escalate: true,
      checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
    });
    const { sb, receiver, daemon, base, world, stop } = await rig(
      () => ({ CLAUDEOPS_DRY_RUN: 'true', CLAUDEOPS_APPROVAL: 'all' }),
      { '.claude-ops/checks/web.md': webCheck },
      (w) => ({
        haiku: [bad],
        sonnet: [
          verdict({
            status: 'unhealthy',
            summary: 'proposing a restart',
            escalate: false,
            checks: [{ id: 'infra/web.md', status: 'unhealthy' }],
            proposals: [
              {
                service: 'web',
                action: 'restart',
                commands: [`touch ${w}/restarted`],
                why: 'w',
                expected: 'e',
                rollback: 'r',
              },
            ],
          }),
        ],
      }),
      150_000,
    );
    try {
      const approve = linkIn(receiver.received, /approve the restart of web\?/, 'Approve');
      const res = await confirm(approve);
      assert.equal(res.status, 409);
      assert.match(await res.text(), /dry run is on/);
      await idle(base, 90_000);
      assert.equal(cyclesEnded(daemon), 1, 'no verification cycle');
      assert.deepEqual(fs.readdirSync(world), []);
      const refused = receipts(sb).filter((r) => r.kind === 'approval_refused');
      assert.equal(refused.length, 1);
      assert.match(refused[0].reason, /dry run is on/);
      assert.ok(!receipts(sb).some((r) => r.kind === 'approval_approved' || r.kind === 'approval_executed'));
    } finally {
      await stop();
    }
  });
});

describe('acknowledge, silence and maintenance', { skip: SKIP }, () => {
  const results = (web: string, db: string, cache: string) =>
    verdict({
      status: [web, db, cache].includes('unhealthy') ? 'unhealthy' : 'healthy',
      summary: `web ${web}, db ${db}, cache ${cache}`,
      escalate: false,
      checks: [
        { id: 'infra/web.md', status: web },
        { id: 'infra/db.md', status: db },
        { id: 'infra/cache.md', status: cache },
      ],
    });
  const repo = {
    '.claude-ops/checks/web.md': checkOf('web'),
    '.claude-ops/checks/db.md': checkOf('db'),
    '.claude-ops/checks/cache.md': checkOf('cache'),
  };

  it('sends an acknowledged check no reminder but its "resolved"; a silenced one nothing; the control its reminder', async () => {
    const { sb, receiver, daemon, base, stop } = await rig(
      () => ({ CLAUDEOPS_NOTIFY_REMIND: '3600' }),
      repo,
      () => ({
        haiku: [
          results('unhealthy', 'unhealthy', 'unhealthy'),
          results('unhealthy', 'unhealthy', 'unhealthy'),
          results('healthy', 'unhealthy', 'unhealthy'),
        ],
      }),
      200_000,
    );
    const runNow = () =>
      fetch(`${base}/actions/run-now`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    try {
      await until(() => receiver.received.length >= 3, 10_000);
      assert.deepEqual(receiver.received.map((m) => m.title).sort(), [
        'claudeops: cache (cache) is unhealthy',
        'claudeops: db (db) is unhealthy',
        'claudeops: web (web) is unhealthy',
      ]);
      const ack = linkIn(receiver.received, /web \(web\) is unhealthy/, 'Acknowledge');
      const silence = linkIn(receiver.received, /db \(db\) is unhealthy/, 'Silence 4 h');
      assert.match(await (await fetch(ack)).text(), /no reminders until it resolves/);
      for (const link of [ack, silence]) assert.equal((await confirm(link)).status, 200);
      const held = await (await fetch(`${base}/approvals`)).text();
      assert.match(held, /infra\/web\.md<\/a><\/td><td>acknowledged/);
      assert.match(held, /infra\/db\.md<\/a><\/td><td>silenced<\/td><td>\d{4}-/);
      const overview = await (await fetch(`${base}/`)).text();
      assert.match(overview, /acknowledged by signed link from 127\.0\.0\.1/);
      assert.match(overview, /silenced until \d{4}-/);

      // Seven hours pass for the notification memory: every reminder is due.
      const file = path.join(sb.stateDir, 'notify.json');
      const state = JSON.parse(read(file));
      for (const k of Object.values<any>(state.keys)) k.lastSentAt = new Date(Date.now() - 7 * 3_600_000).toISOString();
      fs.writeFileSync(file, JSON.stringify(state));
      const before = receiver.received.length;
      assert.equal((await runNow()).status, 202);
      // A cycle's notifications are all sent before its "cycle ended" line.
      await waitCycles(daemon, 2, 60_000);
      assert.deepEqual(
        receiver.received.slice(before).map((m) => m.title),
        ['claudeops: cache (cache) is still unhealthy'],
      );

      const mid = receiver.received.length;
      assert.equal((await runNow()).status, 202);
      await waitCycles(daemon, 3, 60_000);
      await until(() => receiver.received.length > mid, 10_000);
      assert.deepEqual(
        receiver.received.slice(mid).map((m) => m.title),
        ['claudeops: web (web) resolved'],
      );
      assert.ok(receipts(sb).some((r) => r.kind === 'check_acknowledged' && r.check === 'infra/web.md'));
      assert.ok(receipts(sb).some((r) => r.kind === 'check_silenced' && r.check === 'infra/db.md'));
    } finally {
      await stop();
    }
  });

  it('holds notifications in a maintenance window while checks still run and are recorded; tells them once it is over', async () => {
    const receiver = new Receiver();
    const api = new FakeApi(
      byModel({ haiku: [results('unhealthy', 'healthy', 'healthy'), results('unhealthy', 'healthy', 'healthy')] }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_APPRISE_URLS: await receiver.start() });
    sb.addRepo('infra', repo);
    try {
      const inWindow = await run(['once'], sb, 90_000, { CLAUDEOPS_MAINTENANCE: '* * * * * for 1h' });
      assert.equal(inWindow.code, 1);
      assert.equal(JSON.parse(read(path.join(sb.stateDir, 'checks.json'))).checks['infra/web.md'].status, 'unhealthy');
      assert.equal(receiver.received.length, 0, JSON.stringify(receiver.received));
      await run(['once'], sb, 90_000);
      await until(() => receiver.received.length > 0, 10_000);
      assert.deepEqual(
        receiver.received.map((m) => m.title),
        ['claudeops: web (web) is unhealthy'],
      );
    } finally {
      await api.stop();
      await receiver.stop();
      sb.cleanup();
    }
  });
});

async function until(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
