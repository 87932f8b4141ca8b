// The daemon's cycle in memory, for fast tests of its logic: the real stages, with a
// MemoryStore, a scripted provider (no CLI, no process, no cage), a clock the test
// moves and notifications caught instead of sent. The store keeps the state, the
// results, the tier runs' and approved runs' logs and the receipts; only the prompts,
// the checks and the repos are files, in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config, type TierNumber } from '../config/config.js';
import { createContext } from '../daemon/daemon.js';
import type { DaemonContext } from '../daemon/context.js';
import type { Proposal } from '../store/records.js';
import type { Delivered } from '../notify/deliver.js';
import type { Message } from '../notify/notify.js';
import { ScriptedProvider, type Scripted } from '../provider/scripted.fixture.js';
import type { CycleRecord, Trigger } from '../record/cycle-record.js';
import { MemoryStore } from '../store/memory-store.js';
import { FIRST_CYCLE, type Carried } from './context.js';
import { runCycle } from './cycle.js';

/** The repository's own prompts (dist/src/cycle → the package root). */
const PROMPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'prompts');

/** A check file whose one service is `service`. */
export const checkFile = (title: string, service: string, extra = ''): string =>
  `# ${title}\n\n- Service: ${service}\n- Severity: critical\n${extra}\n## What\n${title} works.\n\n## How\n\`\`\`sh\ncurl -fsS http://${service}/\n\`\`\`\n\n## Healthy when\n- healthy: it answers\n- unhealthy: it does not\n`;

export interface MemoryDaemon {
  /** The temporary directory the daemon's directories are in. */
  root: string;
  config: Config;
  ctx: DaemonContext;
  store: MemoryStore<CycleRecord>;
  agent: ScriptedProvider;
  /** Every message the cycles would have sent, in order. */
  sent: Message[];
  /** What the next cycle starts from. */
  carried: Carried;
  now(): Date;
  advance(ms: number): void;
  /** Scripts the tiers' next replies, then runs one cycle (carrying its state to the next); the clock moves a minute after it. */
  cycle(replies?: Partial<Record<TierNumber, Scripted[]>>, trigger?: Trigger): Promise<CycleRecord>;
  /**
   * A cycle as the running daemon's scheduler starts one (daemon.ts): approved proposals
   * run first, and the cycle after them (trigger "approval") verifies them; the cycle has
   * its own stop, which `stop` pulls as the console's does.
   */
  daemonCycle(
    replies?: Partial<Record<TierNumber, Scripted[]>>,
    trigger?: Trigger,
  ): Promise<{ record: CycleRecord; executed: Proposal[] }>;
  /** The console's stop: ends the running cycle (its stop's reason is "operator"); false when none runs. */
  stop(): boolean;
  /** What the daemon's stop signals do: every cycle from now on is stopped. */
  stopDaemon(): void;
  /** The receipt ledger's entries, oldest first. */
  receipts(): Record<string, unknown>[];
  cleanup(): void;
}

/**
 * A daemon whose app directory holds `checks` (file name → markdown) and the
 * repository's prompts; `env` is its configuration (CLAUDEOPS_SANDBOX is off).
 */
export function memoryDaemon(
  options: {
    env?: Record<string, string>;
    checks?: Record<string, string>;
    /** Mounted repos: name → (path in the repo → text), e.g. `.claude-ops/checks/x.md`. */
    repos?: Record<string, Record<string, string>>;
    start?: string;
  } = {},
): MemoryDaemon {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-cycle-'));
  const appDir = path.join(root, 'app');
  fs.mkdirSync(path.join(appDir, 'checks'), { recursive: true });
  fs.cpSync(PROMPTS, path.join(appDir, 'prompts'), { recursive: true });
  for (const [name, text] of Object.entries(options.checks ?? { 'web.md': checkFile('Web', 'web') }))
    fs.writeFileSync(path.join(appDir, 'checks', name), text);
  for (const [repo, files] of Object.entries(options.repos ?? {}))
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(root, 'repos', repo, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  const { config } = loadConfig(
    {
      ANTHROPIC_API_KEY: 'k-test',
      CLAUDEOPS_APP_DIR: appDir,
      CLAUDEOPS_STATE_DIR: path.join(root, 'state'),
      CLAUDEOPS_RESULTS_DIR: path.join(root, 'results'),
      CLAUDEOPS_REPOS_DIR: path.join(root, 'repos'),
      CLAUDEOPS_SANDBOX: 'off',
      CLAUDEOPS_LOG_LEVEL: 'fatal',
      CLAUDEOPS_HTTP_PORT: 'off',
      ...options.env,
    },
    root,
  );
  let time = Date.parse(options.start ?? '2031-03-04T05:00:00Z');
  const store = new MemoryStore<CycleRecord>();
  const agent = new ScriptedProvider();
  const sent: Message[] = [];
  const deliver = (_deps: unknown, _cycle: string | undefined, messages: Message[]): Promise<Delivered[]> => {
    sent.push(...messages);
    return Promise.resolve(messages.map((m) => ({ kind: m.kind, key: m.key, ok: true, attempts: 1 })));
  };
  const daemonStop = new AbortController();
  let cycleStop: AbortController | undefined;
  const ctx = createContext(config, daemonStop.signal, {
    store,
    providers: agent.lookup,
    deliver,
    now: () => new Date(time),
  });
  ctx.stdout = () => undefined;
  const daemon: MemoryDaemon = {
    root,
    config,
    ctx,
    store,
    agent,
    sent,
    carried: FIRST_CYCLE,
    now: () => new Date(time),
    advance: (ms) => void (time += ms),
    async cycle(replies = {}, trigger = 'schedule') {
      agent.script(replies);
      const { record, carried } = await runCycle(ctx, trigger, daemon.carried);
      daemon.carried = carried;
      time += 60_000;
      return record;
    },
    async daemonCycle(replies = {}, trigger = 'schedule') {
      agent.script(replies);
      cycleStop = new AbortController();
      const shutdown = AbortSignal.any([daemonStop.signal, cycleStop.signal]);
      try {
        const executed = (await ctx.approvals.hasApproved()) ? await ctx.approvals.runApproved({ shutdown }) : [];
        const { record, carried } = await runCycle(
          { ...ctx, shutdown },
          executed.length ? 'approval' : trigger,
          daemon.carried,
        );
        daemon.carried = carried;
        if (executed.length) await ctx.approvals.verified(executed, record);
        time += 60_000;
        return { record, executed };
      } finally {
        cycleStop = undefined;
      }
    },
    stop() {
      if (!cycleStop) return false;
      cycleStop.abort('operator');
      return true;
    },
    stopDaemon: () => daemonStop.abort(),
    receipts: () => store.receipts(),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  return daemon;
}
