// What a cycle costs in requests, tokens and time: the real daemon and the real CLI
// against the fake Messages API, which records every request and reports usage as the
// real API would bill it (size-estimated tokens, with prompt caching).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeApi, slowly, toolUse, userText, verdict, type RecordedRequest, type Reply } from '../test/fake-api.js';
import { CLAUDE, cycleSummaries, run, sandbox, type Sandbox } from '../test/harness.js';

/** Haiku 4.5 list prices, USD per million tokens: input, output, 5-minute cache write, cache read. */
export const HAIKU_PRICES = { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 };

const bytesOf = (r: RecordedRequest): number => Buffer.byteLength(JSON.stringify(r.body));
const toolResults = (r: RecordedRequest): number =>
  (r.body?.messages ?? []).reduce(
    (n: number, m: { content: unknown }) =>
      n + (Array.isArray(m.content) ? m.content.filter((b: { type?: string }) => b?.type === 'tool_result').length : 0),
    0,
  );
const handed = (r: RecordedRequest): string[] =>
  [
    ...userText({ ...r, body: { ...r.body, messages: (r.body?.messages ?? []).slice(0, 1) } }).matchAll(
      /- id `([^`]+)`/g,
    ),
  ].map((m) => m[1]!);

/**
 * Each session works through its checks one tool call at a time (a few KB of output each),
 * then judges them: healthy, or as `statusOf` says.
 */
export function checkByCheck(
  evidence: string,
  latencyMs: number,
  statusOf: (id: string) => 'healthy' | 'unhealthy' = () => 'healthy',
) {
  return (r: RecordedRequest): Reply => {
    const ids = handed(r);
    const done = toolResults(r);
    const statuses = ids.map(statusOf);
    const reply =
      done < ids.length
        ? toolUse('Bash', { command: `head -c 3000 ${evidence}`, description: `check ${ids[done]}` })
        : verdict({
            status: statuses.includes('unhealthy') ? 'unhealthy' : 'healthy',
            summary: `${statuses.filter((s) => s === 'healthy').length} of ${ids.length} checks pass.`,
            escalate: false,
            checks: ids.map((id, i) => ({ id, status: statuses[i], detail: 'fine' })),
          });
    return latencyMs ? slowly(latencyMs, reply) : reply;
  };
}

export interface CycleMeasure {
  checks: number;
  sessions: number;
  requests: number;
  totalBytes: number;
  firstBytes: number;
  wallMs: number;
  costUsd: number;
  status: string;
  usage: { input: number; output: number; cacheWrite: number; cacheRead: number };
  firstPrompt: string;
}

/** `n` checks in five repos, each with `extra` (a probe section) before its How. */
export function addChecks(sb: Sandbox, n: number, extra: (i: number) => string = () => ''): void {
  for (let r = 0; r < 5; r++) {
    const names = Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 === r);
    sb.addRepo(
      `repo-${r}`,
      Object.fromEntries(
        names.map((i) => [
          `.claude-ops/checks/check-${String(i).padStart(2, '0')}.md`,
          `# Check ${i}\n\n- Service: svc-${i}\n\n${extra(i)}## How\nhead -c 3000 the service's log and look for errors.\n\n## Healthy when\nNo error lines in the last hour.\n`,
        ]),
      ),
    );
  }
}

/** One `claudeops once` over `n` checks in five repos. */
export async function measureCycle(n: number, env: Record<string, string> = {}, latencyMs = 0): Promise<CycleMeasure> {
  const api = new FakeApi(() => ({ kind: 'hang' }), { usage: 'estimated' });
  const sb = sandbox(await api.start(), { CLAUDEOPS_MAX_TIER: '1', CLAUDEOPS_TIMEOUT: '600', ...env });
  try {
    const evidence = path.join(sb.root, 'evidence.txt');
    fs.writeFileSync(
      evidence,
      Array.from(
        { length: 120 },
        (_, i) =>
          `2026-11-22T10:${String(i % 60).padStart(2, '0')}:00Z web-${i % 7} GET /healthz 200 12ms upstream=10.0.${i % 4}.${i} ok`,
      ).join('\n'),
    );
    api.script = checkByCheck(evidence, latencyMs);
    addChecks(sb, n);
    const result = await run(['once'], sb, 900_000);
    const [summary] = cycleSummaries(sb.resultsDir);
    if (!summary)
      throw new Error(`no cycle summary; the run printed:\n${(result.stdout + result.stderr).slice(-2000)}`);
    const msgs = api.messages;
    const usage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
    for (const u of Object.values<any>(summary.tiers[0]?.modelUsage ?? {})) {
      usage.input += u.inputTokens ?? 0;
      usage.output += u.outputTokens ?? 0;
      usage.cacheWrite += u.cacheCreationInputTokens ?? 0;
      usage.cacheRead += u.cacheReadInputTokens ?? 0;
    }
    return {
      checks: n,
      sessions: msgs.filter((r) => (r.body?.messages ?? []).length === 1).length,
      requests: msgs.length,
      totalBytes: msgs.reduce((s, r) => s + bytesOf(r), 0),
      firstBytes: msgs[0] ? bytesOf(msgs[0]) : 0,
      wallMs: summary.durationMs,
      costUsd: summary.costUsd,
      status: summary.status,
      usage,
      firstPrompt: msgs[0]
        ? userText({ ...msgs[0], body: { ...msgs[0].body, messages: msgs[0].body.messages.slice(0, 1) } })
        : '',
    };
  } finally {
    await api.stop();
    sb.cleanup();
  }
}

/** The first request of a bare `claude -p` given the same prompt. */
export async function bareFirstRequestBytes(prompt: string): Promise<number> {
  const api = new FakeApi(() => verdict({ status: 'healthy', summary: 'x', escalate: false }));
  const url = await api.start();
  const home = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'claudeops-bench-home-'));
  try {
    await new Promise<void>((resolve) => {
      const child = spawn(CLAUDE, ['-p', '--model', 'haiku'], {
        cwd: home,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: 'sk-bench',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin.end(prompt);
    });
    const first = api.messages[0];
    if (!first) throw new Error('the bare CLI sent no request');
    return bytesOf(first);
  } finally {
    await api.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** User + system CPU of a process and of its children it has waited for, in ms (from /proc, 10 ms ticks). */
export function cpuMs(pid: number): number {
  try {
    // The fields after the command name (which may hold spaces): utime, stime, cutime, cstime are 14-17.
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return NaN;
  }
}

/** One start-up of the real CLI, without the model, in ms: wall and CPU (user + system). */
export interface StartUp {
  /** `claude --version`. */
  versionMs: number;
  versionCpuMs: number;
  /** A bare `claude -p`, from its spawn to its first request to the fake API (then it is killed). */
  firstRequestMs: number;
  firstRequestCpuMs: number;
}

/** The real CLI's own start-up, once each way; `home` is its HOME, kept across calls as a host keeps it. */
export async function cliStartUp(home: string): Promise<StartUp> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_API_KEY: 'sk-bench',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  // bash's `times`: its children's user and system time, after the one child it ran.
  let t = performance.now();
  const r = spawnSync('bash', ['-c', '"$0" --version >/dev/null && times', CLAUDE], { env, cwd: home });
  const versionMs = performance.now() - t;
  const times = [...String(r.stdout).matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (r.status !== 0 || times.length < 4) throw new Error(`claude --version failed: ${String(r.stderr)}`);
  const versionCpuMs = (times[2]! + times[3]!) * 1000;

  let arrived: (() => void) | undefined;
  const api = new FakeApi(() => {
    arrived?.();
    return { kind: 'hang' };
  });
  const url = await api.start();
  try {
    const first = await new Promise<{ ms: number; cpu: number }>((resolve, reject) => {
      let out: { ms: number; cpu: number } | undefined;
      t = performance.now();
      const child = spawn(CLAUDE, ['-p', '--model', 'haiku'], {
        cwd: home,
        env: { ...env, ANTHROPIC_BASE_URL: url },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      arrived = () => {
        out = { ms: performance.now() - t, cpu: cpuMs(child.pid!) };
        arrived = undefined;
        child.kill('SIGKILL');
      };
      child.on('exit', () => {
        clearTimeout(timer);
        if (out) resolve(out);
        else reject(new Error('the bare CLI exited before its first request'));
      });
      child.stdin.end('Say hello.');
    });
    return { versionMs, versionCpuMs, firstRequestMs: first.ms, firstRequestCpuMs: first.cpu };
  } finally {
    await api.stop();
  }
}

/** Dollars of a usage at Haiku 4.5's list prices. */
export const listPriceUsd = (u: CycleMeasure['usage']): number =>
  (u.input * HAIKU_PRICES.input +
    u.output * HAIKU_PRICES.output +
    u.cacheWrite * HAIKU_PRICES.cacheWrite +
    u.cacheRead * HAIKU_PRICES.cacheRead) /
  1e6;
