// The provider-neutral end-to-end cases, once per provider: the real Claude Code CLI
// against the fake Messages API, and the real Codex CLI against the fake Responses
// API. Each case is written once, in the daemon's terms; a small adapter per provider
// turns its script into that fake's replies and reads back what the CLI sent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  FakeApi,
  lastToolResult,
  modelOf,
  systemText,
  toolUse,
  verdict,
  type RecordedRequest,
  type Reply,
} from '../fake-api.js';
import { FakeOpenAi, answer, callOutputs, command, type OpenAiReply } from '../fake-openai.js';
import { API_KEY, MCP_FIXTURE, ROOT, cycleSummaries, mcpConfig, read, run, sandbox, type Sandbox } from '../harness.js';
import { probeDigest } from '../fixtures/probe-digest.js';
import { RemoteMcp } from '../mcp-http.js';

const OPENAI_KEY = 'sk-openai-test-PLANTED-SECRET-5c6d7e8f';
const LINK_SECRET = 'link-secret-PLANTED-fedcba9876543210fedcba98';
const MCP_TOKEN = 'mcp-token-PLANTED-0a1b2c3d4e5f';
const webCheck = '# Web\n\n- Service: web\n\n## How\ncurl http://web/\n\n## Healthy when\n200\n';

/** A step of a scripted session, in the daemon's terms. */
type Step =
  | { cmd: string }
  | { mcp: [server: string, tool: string, args: unknown] }
  | { verdict: Record<string, unknown> }
  | 'hang';

interface Adapter {
  name: 'claude' | 'codex';
  /** Configuration that puts the given tiers on this provider. */
  env(tiers: number[], endpoint: string): Record<string, string>;
  /** Starts its fake API with the sessions' steps in order; tier 2 on Claude always talks to `claude`. */
  start(
    steps: Step[],
  ): Promise<{ endpoint: string; outputs(): string[]; claudeRequests(): RecordedRequest[]; stop(): Promise<void> }>;
}

const toClaude = (s: Step): Reply =>
  s === 'hang'
    ? { kind: 'hang' }
    : 'cmd' in s
      ? toolUse('Bash', { command: s.cmd, description: 'a step' })
      : 'mcp' in s
        ? toolUse(`mcp__${s.mcp[0]}__${s.mcp[1]}`, s.mcp[2])
        : verdict(s.verdict);
const toCodex = (s: Step): OpenAiReply =>
  s === 'hang'
    ? { kind: 'hang' }
    : 'cmd' in s
      ? command(s.cmd)
      : 'mcp' in s
        ? { kind: 'call', namespace: `mcp__${s.mcp[0]}`, name: s.mcp[1], args: s.mcp[2] }
        : answer(s.verdict);

const ADAPTERS: Adapter[] = [
  {
    name: 'claude',
    env: () => ({}),
    async start(steps) {
      // Tier 1 is haiku, tier 2 sonnet: one ordered script serves both, as they run one after the other.
      const api = new FakeApi((req, n) =>
        modelOf(req).includes('haiku') || modelOf(req).includes('sonnet')
          ? toClaude(steps[n] ?? { verdict: { status: 'healthy', summary: 'exhausted', escalate: false } })
          : { kind: 'status', status: 404 },
      );
      return {
        endpoint: await api.start(),
        outputs: () => api.messages.map((m) => lastToolResult(m) ?? ''),
        claudeRequests: () => api.messages,
        stop: () => api.stop(),
      };
    },
  },
  {
    name: 'codex',
    env: (tiers, endpoint) => ({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: endpoint,
      CLAUDEOPS_APPROVAL_SECRET: LINK_SECRET,
      CLAUDEOPS_CODEX_BIN: path.join(ROOT, 'node_modules', '.bin', 'codex'),
      ...Object.fromEntries(
        tiers.flatMap((t) => [
          [`CLAUDEOPS_TIER${t}_PROVIDER`, 'codex'],
          [`CLAUDEOPS_TIER${t}_MODEL`, 'gpt-5-mini'],
        ]),
      ),
    }),
    async start(steps) {
      const api = new FakeOpenAi((_req, n) =>
        toCodex(steps[n] ?? { verdict: { status: 'healthy', summary: 'exhausted', escalate: false } }),
      );
      return {
        endpoint: await api.start(),
        outputs: () => api.requests.flatMap(callOutputs),
        claudeRequests: () => [],
        stop: () => api.stop(),
      };
    },
  },
];

/** One `claudeops once` with the given tiers on the provider; `claude` answers tier 2 when it stays on Claude. */
async function cycle(
  a: Adapter,
  steps: Step[],
  tiers: number[],
  env: Record<string, string> = {},
  setup?: (sb: Sandbox, world: string) => void,
  claudeTier2?: Reply[],
) {
  const fake = await a.start(steps);
  const claude = new FakeApi(
    (req, n) => claudeTier2?.[n] ?? { kind: 'status', status: 404, message: `fake: no script for ${modelOf(req)}` },
  );
  const anthropic = a.name === 'claude' ? fake.endpoint : await claude.start();
  const sb = sandbox(anthropic, { CLAUDEOPS_MAX_TIER: '1', ...a.env(tiers, fake.endpoint), ...env });
  const world = path.join(sb.root, 'world');
  fs.mkdirSync(world);
  sb.addRepo('site', { '.claude-ops/checks/web.md': webCheck });
  setup?.(sb, world);
  const result = await run(['once'], sb, 180_000);
  await fake.stop();
  if (a.name !== 'claude') await claude.stop();
  const tier2 = [...fake.claudeRequests(), ...claude.messages].filter((r) => modelOf(r).includes('sonnet'));
  return { sb, world, result, outputs: fake.outputs(), tier2, summary: cycleSummaries(sb.resultsDir)[0] };
}

/** Processes still running with the test's HOME: whatever the run left behind. */
function leftovers(sb: Sandbox): number[] {
  const needle = Buffer.from(`HOME=${path.join(sb.root, 'home')}\0`);
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`).includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const healthy = {
  verdict: {
    status: 'healthy',
    summary: 'web answers 200.',
    escalate: false,
    checks: [{ id: 'site/web.md', status: 'healthy', detail: '200' }],
  },
};

for (const a of ADAPTERS) {
  describe(`on the ${a.name} provider`, () => {
    it('runs tier 1: a command in its sandbox, a verdict, a cost, no secret within the agent’s reach', async () => {
      const { sb, result, outputs, summary } = await cycle(a, [{ cmd: 'echo provider-was-here; env' }, healthy], [1]);
      try {
        assert.equal(result.code, 0, result.stdout.slice(-3000));
        const t1 = summary.tiers[0];
        assert.deepEqual(
          [t1.exitClass, t1.containment.sandboxed, t1.containment.readOnly, summary.checks[0].status],
          ['ok', true, true, 'healthy'],
        );
        assert.ok(t1.costUsd > 0);
        assert.equal(t1.toolsUsed.Bash, 1);
        const output = outputs.join('\n');
        assert.match(output, /provider-was-here/);
        assert.match(output, /PATH=/, 'the env listing came back');
        for (const secret of [API_KEY, OPENAI_KEY, LINK_SECRET])
          assert.ok(!output.includes(secret), 'the agent’s command saw a secret');
        const story = read(path.join(sb.resultsDir, t1.logFile));
        assert.match(story, /tool {5}Bash \$ .*echo provider-was-here/);
        assert.match(story, /check {4}\[healthy\] site\/web\.md: 200/);
      } finally {
        sb.cleanup();
      }
    });

    it('changes nothing from tier 1 or in dry run, and writes its path from tier 2 without dry run', async () => {
      const steps = (w: string): Step[] => [
        { cmd: `touch ${w}/by-tier1` },
        {
          verdict: {
            status: 'unhealthy',
            summary: 'web is down',
            escalate: true,
            checks: [{ id: 'site/web.md', status: 'unhealthy' }],
          },
        },
        { cmd: `touch ${w}/by-tier2` },
        { verdict: { status: 'unhealthy', summary: 'tried', escalate: false } },
      ];
      const env = { CLAUDEOPS_MAX_TIER: '2', CLAUDEOPS_APPROVAL: 'none' };
      for (const dry of [true, false]) {
        // The scripts name the world, so it is made before the fake starts.
        const worldOf = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-world-${a.name}-`));
        const c = await cycle(
          a,
          steps(worldOf),
          [1, 2],
          { ...env, CLAUDEOPS_DRY_RUN: String(dry) },
          (sb) => void (sb.env.CLAUDEOPS_TIER2_WRITABLE = worldOf),
        );
        try {
          assert.equal(c.summary.tiers.length, 2, c.result.stdout.slice(-3000));
          assert.ok(c.summary.tiers.every((t: any) => t.exitClass === 'ok'));
          assert.deepEqual(
            fs.readdirSync(worldOf),
            dry ? [] : ['by-tier2'],
            dry ? 'nothing written in tier 1 or in dry run' : 'tier 2 writes its path; tier 1 still does not',
          );
        } finally {
          c.sb.cleanup();
          fs.rmSync(worldOf, { recursive: true, force: true });
        }
      }
    });

    it('refuses tier 2 the commands its tier denies, and writes nowhere but its paths', async () => {
      const outside = path.join(os.tmpdir(), `claudeops-outside-${a.name}-${process.pid}`);
      const worldOf = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-world-${a.name}-`));
      fs.writeFileSync(path.join(worldOf, 'victim'), 'keep me');
      const down = {
        verdict: {
          status: 'unhealthy',
          summary: 'web is down',
          escalate: true,
          checks: [{ id: 'site/web.md', status: 'unhealthy' }],
        },
      };
      const tries = [
        `rm ${worldOf}/victim`,
        `rm -f ${worldOf}/victim`,
        `echo tidy && rm ${worldOf}/victim`,
        `touch ${outside}`,
        `touch ${worldOf}/fixed`,
      ];
      const steps: Step[] = [
        down,
        ...tries.map((cmd) => ({ cmd })),
        { verdict: { status: 'healthy', summary: 'fixed', escalate: false } },
      ];
      const c = await cycle(
        a,
        steps,
        [1, 2],
        { CLAUDEOPS_MAX_TIER: '2', CLAUDEOPS_APPROVAL: 'none' },
        (sb) => void (sb.env.CLAUDEOPS_TIER2_WRITABLE = worldOf),
      );
      try {
        assert.deepEqual(
          c.summary.tiers.map((t: any) => t.exitClass),
          ['ok', 'ok'],
          c.result.stdout.slice(-3000),
        );
        assert.deepEqual(
          fs.readdirSync(worldOf).sort(),
          ['fixed', 'victim'],
          'the denied rm had no effect; the allowed touch did',
        );
        assert.equal(fs.readFileSync(path.join(worldOf, 'victim'), 'utf8'), 'keep me');
        assert.ok(!fs.existsSync(outside), `${outside} was written from tier 2`);
      } finally {
        c.sb.cleanup();
        fs.rmSync(worldOf, { recursive: true, force: true });
        fs.rmSync(outside, { force: true });
      }
    });

    it('gets an MCP server’s real answer in tier 1', async () => {
      const { sb, outputs, summary } = await cycle(
        a,
        [{ mcp: ['probe', 'probe_status', { target: 'web' }] }, healthy],
        [1],
        {},
        (sb) => sb.addRepo('ops', { '.claude-ops/mcp.json': mcpConfig('probe') }),
      );
      try {
        assert.equal(summary.tiers[0].exitClass, 'ok');
        assert.match(outputs.join('\n'), /probe says web is OK \(server pid \d+\)/);
        assert.equal(summary.tiers[0].toolsUsed.mcp__probe__probe_status, 1);
      } finally {
        sb.cleanup();
      }
    });

    it('gives MCP servers the values their entries name by ${VAR}, without writing them down', async () => {
      const remote = new RemoteMcp();
      const remoteUrl = await remote.start();
      const servers = {
        probe: {
          command: process.execPath,
          args: [MCP_FIXTURE],
          env: {
            PROBE_REPORT: 'PROBE_TOKEN,PROBE_DSN,PROBE_LEVEL',
            PROBE_TOKEN: '${MCP_TOKEN}',
            PROBE_DSN: 'postgres://ops:${MCP_TOKEN}@db/${MCP_DB:-metrics}',
            PROBE_LEVEL: 'debug',
          },
        },
        remote: {
          type: 'http',
          url: '${REMOTE_MCP}/mcp',
          headers: { Authorization: 'Bearer ${MCP_TOKEN}', 'X-Team': 'ops' },
        },
      };
      const steps: Step[] = [{ mcp: ['probe', 'probe_status', {}] }, { mcp: ['remote', 'whoami', {}] }, healthy];
      const { sb, outputs, summary, result } = await cycle(a, steps, [1], { MCP_TOKEN, REMOTE_MCP: remoteUrl }, (sb) =>
        sb.addRepo('ops', { '.claude-ops/mcp.json': JSON.stringify({ mcpServers: servers }) }),
      );
      await remote.stop();
      try {
        assert.equal(summary.tiers[0].exitClass, 'ok', result.stdout.slice(-3000));
        const said = outputs.join('\n');
        assert.match(
          said,
          new RegExp(
            `PROBE_TOKEN=${probeDigest(MCP_TOKEN)} PROBE_DSN=${probeDigest(`postgres://ops:${MCP_TOKEN}@db/metrics`)} PROBE_LEVEL=${probeDigest('debug')}`,
          ),
          said,
        );
        assert.match(said, /remote http server answered/);
        assert.ok(
          remote.authorization.includes(`Bearer ${MCP_TOKEN}`),
          `the remote server was sent ${remote.authorization.join(', ')}`,
        );
        for (const dir of [sb.resultsDir, sb.stateDir])
          for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
            const file = path.join(dir, f);
            if (fs.statSync(file).isFile()) assert.ok(!read(file).includes(MCP_TOKEN), `${file} holds the MCP token`);
          }
      } finally {
        sb.cleanup();
      }
    });

    it('stops a run that outlives CLAUDEOPS_TIMEOUT, with everything it started', async () => {
      const { sb, summary, result } = await cycle(a, [{ cmd: '(sleep 600 &) ; echo started' }, 'hang'], [1], {
        CLAUDEOPS_TIMEOUT: '12',
      });
      try {
        assert.equal(summary.tiers[0].exitClass, 'timeout', result.stdout.slice(-2000));
        assert.deepEqual(leftovers(sb), []);
      } finally {
        sb.cleanup();
      }
    });

    it('escalates to a Claude tier 2 with its findings', async () => {
      const down = {
        verdict: {
          status: 'unhealthy',
          summary: 'web answers 502.',
          escalate: true,
          checks: [{ id: 'site/web.md', status: 'unhealthy' }],
          findings: 'upstream refused on 10.0.0.7:8080',
        },
      };
      const fixed = verdict({
        status: 'healthy',
        summary: 'Restarted web.',
        escalate: false,
        checks: [{ id: 'site/web.md', status: 'healthy' }],
      });
      const steps: Step[] =
        a.name === 'claude'
          ? [
              down,
              {
                verdict: {
                  status: 'healthy',
                  summary: 'Restarted web.',
                  escalate: false,
                  checks: [{ id: 'site/web.md', status: 'healthy' }],
                },
              },
            ]
          : [down];
      const c = await cycle(a, steps, [1], { CLAUDEOPS_MAX_TIER: '2' }, undefined, [fixed]);
      try {
        assert.deepEqual(
          c.summary.tiers.map((t: any) => [t.tier, t.exitClass]),
          [
            [1, 'ok'],
            [2, 'ok'],
          ],
        );
        assert.equal(c.summary.status, 'healthy');
        const tier2 = c.summary.tiers[1];
        assert.equal(tier2.model, 'sonnet');
        const story = read(path.join(c.sb.resultsDir, tier2.logFile));
        assert.match(story, /VERDICT {2}HEALTHY: Restarted web\./);
        const handoff = systemText(c.tier2[0]!);
        assert.match(handoff, /web answers 502\./);
        assert.match(handoff, /upstream refused on 10\.0\.0\.7:8080/);
      } finally {
        c.sb.cleanup();
      }
    });
  });
}
