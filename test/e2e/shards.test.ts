// Tier 1 in shards, end to end: the real CLI against the fake API, several repos,
// each session handed only its shard's checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FakeApi,
  lastToolResult,
  modelOf,
  systemText,
  toolUse,
  userText,
  verdict,
  type RecordedRequest,
  type Reply,
} from '../fake-api.js';
import { cycleSummaries, run, sandbox } from '../harness.js';

const check = (name: string) => `# ${name}\n\n- Service: ${name}\n\n## How\nlook\n\n## Healthy when\nup\n`;
const repos = { alpha: ['a1', 'a2', 'a3', 'a4'], beta: ['b1', 'b2', 'b3', 'b4'], gamma: ['g1', 'g2', 'g3'] };

/** The check ids a session was handed, from its prompt. */
const handed = (req: RecordedRequest): string[] =>
  [
    ...userText({ ...req, body: { ...req.body, messages: req.body.messages.slice(0, 1) } }).matchAll(/- id `([^`]+)`/g),
  ].map((m) => m[1]!);

/** Each tier-1 session looks once, then judges its own checks: beta's unhealthy. Tier 2 fixes. */
function script(options: { hang?: string } = {}) {
  return (req: RecordedRequest): Reply => {
    if (modelOf(req).includes('sonnet'))
      return verdict({
        status: 'healthy',
        summary: 'Restarted beta.',
        escalate: false,
        checks: repos.beta.map((n) => ({ id: `beta/${n}.md`, status: 'healthy' })),
      });
    const ids = handed(req);
    if (options.hang && ids.some((id) => id.startsWith(options.hang!))) return { kind: 'hang' };
    if (lastToolResult(req) === undefined)
      return toolUse('Bash', { command: `echo checking ${ids.length}`, description: 'look' });
    const bad = ids.filter((id) => id.startsWith('beta/'));
    return verdict({
      status: bad.length ? 'unhealthy' : 'healthy',
      summary: bad.length ? `beta is down (${bad.length} checks).` : `${ids.length} checks fine.`,
      escalate: bad.length > 0,
      checks: ids.map((id) => ({ id, status: id.startsWith('beta/') ? 'unhealthy' : 'healthy', detail: 'seen' })),
      ...(bad.length ? { findings: `beta findings: ${bad.join(', ')} refuse connections` } : {}),
    });
  };
}

async function cycle(env: Record<string, string>, options: { hang?: string } = {}) {
  const api = new FakeApi(script(options));
  const sb = sandbox(await api.start(), {
    CLAUDEOPS_TIER1_SHARD_SIZE: '4',
    CLAUDEOPS_TIER1_PARALLEL: '3',
    CLAUDEOPS_MAX_TIER: '2',
    ...env,
  });
  for (const [repo, names] of Object.entries(repos))
    sb.addRepo(repo, Object.fromEntries(names.map((n) => [`.claude-ops/checks/${n}.md`, check(n)])));
  const result = await run(['once'], sb, 150_000);
  await api.stop();
  return { api, sb, result, summary: cycleSummaries(sb.resultsDir)[0] };
}

const firstRequests = (api: FakeApi) =>
  api.messages.filter((r) => modelOf(r).includes('haiku') && r.body.messages.length === 1);

describe('tier 1 in shards', () => {
  it('hands each session its shard, judges every check once, and escalates once with the unhealthy shards’ findings', async () => {
    const { api, sb, result, summary } = await cycle({});
    try {
      assert.equal(result.code, 0, result.stdout.slice(-2000));
      const sessions = firstRequests(api).map(handed);
      assert.equal(sessions.length, 3);
      assert.deepEqual(
        sessions.flat().sort(),
        Object.entries(repos)
          .flatMap(([r, ns]) => ns.map((n) => `${r}/${n}.md`))
          .sort(),
      );
      assert.ok(sessions.every((s) => s.length <= 4));
      const t1 = summary.tiers[0];
      assert.equal(t1.shards.length, 3);
      assert.ok(t1.shards.every((s: any) => s.exitClass === 'ok'));
      assert.equal(summary.checks.length, 11);
      assert.equal(t1.verdict.checks.length, 11, 'one tier-1 result per check');
      assert.deepEqual(
        t1.verdict.checks
          .filter((c: any) => c.status === 'unhealthy')
          .map((c: any) => c.id)
          .sort(),
        ['beta/b1.md', 'beta/b2.md', 'beta/b3.md', 'beta/b4.md'],
      );
      assert.equal(summary.status, 'healthy', 'tier 2 fixed beta');
      const tier2 = api.messages.filter((r) => modelOf(r).includes('sonnet'));
      assert.equal(tier2.length, 1, 'one escalation');
      const handoff = systemText(tier2[0]!);
      assert.match(handoff, /beta findings: beta\/b1\.md, beta\/b2\.md, beta\/b3\.md refuse connections/);
      assert.match(handoff, /beta findings: beta\/b4\.md refuse connections/);
      assert.ok(!handoff.includes('checks fine'), 'healthy shards are not in the handoff summary');
      assert.deepEqual(summary.escalations, [{ from: 1, to: 2 }]);
    } finally {
      sb.cleanup();
    }
  });

  it('cuts a shard that hangs at its timeout; only its checks become unknown', async () => {
    const { sb, result, summary } = await cycle(
      { CLAUDEOPS_TIMEOUT: '20', CLAUDEOPS_MAX_TIER: '1' },
      { hang: 'gamma/' },
    );
    try {
      assert.equal(result.code, 1, result.stdout.slice(-2000));
      // beta is still down; the unjudged checks would make it incomplete otherwise.
      assert.equal(summary.status, 'unhealthy');
      const t1 = summary.tiers[0];
      const cut = t1.shards.filter((s: any) => s.exitClass === 'timeout');
      assert.equal(cut.length, 1);
      const unknown = summary.checks
        .filter((c: any) => c.status === 'unknown')
        .map((c: any) => c.id)
        .sort();
      assert.deepEqual(unknown, [...cut[0].checks].sort());
      assert.ok(unknown.some((id: string) => id.startsWith('gamma/')));
      for (const c of summary.checks.filter((x: any) => x.status === 'unknown'))
        assert.match(c.detail, /not judged: tier-1 shard \d of 3 ended timeout/);
      assert.equal(summary.checks.filter((c: any) => c.status !== 'unknown').length, 11 - unknown.length);
      assert.ok(t1.shards.filter((s: any) => s.exitClass === 'ok').length === 2);
    } finally {
      sb.cleanup();
    }
  });
});
