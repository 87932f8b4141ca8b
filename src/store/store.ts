import type { Receipt } from '../receipts/chain.js';
import type { Lock } from './lock.js';
import type {
  Approvals,
  CheckState,
  CooldownState,
  Holds,
  LoadedCooldown,
  Memory,
  NotifyState,
  Proposal,
  Spend,
  StoredCycleStatus,
  StoredSummary,
  StoredSummaryTier,
} from './records.js';

// The one owner of the state and results directories: the daemon's cycle, the approval
// desk, the console and `status` read and write them only through a Store. Files stay
// the source of truth (FileStore); MemoryStore keeps the same contract in memory, for
// tests of the daemon's logic. Decisions (applyResults, applyCycle, ...) stay pure:
// a Store only loads and saves.

/** A state as loaded, with why a fresh one was used instead of the file's, if it was. */
export interface Loaded<T> {
  state: T;
  warning?: string;
}

/** What lists and charts need of one cycle. */
export interface CycleRow {
  id: string;
  startedAt: string;
  durationMs: number;
  trigger: string;
  status: StoredCycleStatus;
  summary: string;
  costUsd: number;
  tiers: { tier: number; exitClass: string }[];
  costByModel: Record<string, number>;
  warnings: number;
}

export interface DaySpend {
  day: string;
  totalUsd: number;
  byModel: Record<string, number>;
}

/** One tier run (or one shard of tier 1) of a cycle: what its files are named after. */
export interface RunRef {
  id: string;
  tier: number;
  shard?: number;
}

/**
 * A tier run's story log and raw events, open for appending while the run goes: lines
 * reach the files as they come, and nothing of the run is kept in memory.
 */
export interface RunFiles {
  /** Appends story text; throws when it cannot be written. */
  log(text: string): void;
  /** Queues raw event bytes (copied); returns a promise to wait on while the file lags behind. */
  events(bytes: Buffer): Promise<void> | undefined;
  /** Waits for the events to be written, then releases both files. */
  close(): Promise<void>;
}

/** An approved proposal's story log, open for appending while its commands run. */
export interface LogSink {
  /** Appends text as it comes; throws when it cannot be written. */
  write(text: string): void;
  /** Releases the file. */
  close(): void;
}

/** The least a cycle summary is, for the store to file it. */
export interface CycleLike {
  id: string;
}

/**
 * Everything the daemon keeps. `C` is the cycle summary as written and read back
 * (CycleRecord in the daemon; see record/cycle-record.ts's CycleStore).
 */
export interface Store<C extends CycleLike = StoredSummary> {
  // --- the daemon's state: loaded and saved by the one writer ----------------------

  /** Each check's state; a corrupt file is moved aside and a fresh state used, with a warning. */
  loadCheckState(): Promise<Loaded<CheckState>>;
  /** Not durable: a cycle's results lost to a power cut cost one data point, not a limit. */
  saveCheckState(state: CheckState): Promise<void>;

  /** The cooldown state; a Claude Ops file is converted once (see LoadedCooldown). */
  loadCooldown(): Promise<LoadedCooldown>;
  /**
   * The one writer of the cooldown state: folds into the current state and saves
   * (durably), one update at a time within the process. Returns what was saved.
   */
  updateCooldown(fold: (current: CooldownState) => CooldownState): Promise<LoadedCooldown>;

  /** Today's recorded spend; a new UTC day (or an unreadable file) starts at zero. */
  loadSpend(now?: Date): Promise<Spend>;
  /** Adds to today's spend and saves it, one addition at a time. */
  addSpend(usd: number, now?: Date): Promise<Spend>;

  /** The notes earlier cycles left; a corrupt file is moved aside and no notes used, with a warning. */
  loadMemory(): Promise<Loaded<Memory>>;
  /** The one writer of the notes (the cycle learning, an operator editing): folds into the current notes and saves, one update at a time. */
  updateMemory(fold: (current: Memory) => Memory): Promise<Memory>;

  loadNotifyState(): Promise<Loaded<NotifyState>>;
  saveNotifyState(state: NotifyState): Promise<void>;

  loadApprovals(): Promise<Loaded<Approvals>>;
  saveApprovals(state: Approvals): Promise<void>;
  loadHolds(): Promise<Loaded<Holds>>;
  saveHolds(state: Holds): Promise<void>;

  /** The key that signs links in notifications, made on first use. */
  linkKey(): Buffer;
  /** Why the state cannot take a durable write now (a full disk, a read-only mount), or undefined. */
  stateUnwritable(): Promise<string | undefined>;

  /**
   * One daemon per state and results directory: takes both, or says who holds one (then
   * neither is kept). Taken before anything else is read or written.
   */
  lock(mode: string): Lock;

  /**
   * Saves the merged MCP config (unchanged text is not rewritten); returns where it is.
   * Throws, naming the file, when it cannot be written.
   */
  saveMergedMcp(text: string): Promise<string>;

  // --- the receipt ledger: one writer, the daemon's store ------------------------------

  /** The key that signs the receipt ledger, made on first use; throws when it can be neither read nor made. */
  ledgerKey(): Buffer;
  /**
   * Appends a receipt, redacted, numbered, chained to the one before and signed (see
   * receipts/chain.ts): whole and durable when it returns, else it throws. Without a
   * ledger key, a throw-away one signs this store's receipts, which then never verify.
   */
  appendReceipt(entry: Record<string, unknown>, redact: (text: string) => string): Receipt;
  /** Every receipt in chain order; lines that do not parse are left out (verifying the chain names them). */
  receipts(): Record<string, unknown>[];

  // --- results -----------------------------------------------------------------------

  /** A new cycle's id, `run-YYYYMMDD-HHMMSS` (UTC) with a suffix when one of that second exists. */
  newCycleId(now?: Date): string;
  /** Files a cycle's summary, redacted; returns where it went. */
  writeCycle(record: C, redact: (text: string) => string): Promise<string>;
  /** Opens a tier run's files (their names come from the layout); throws when they cannot be opened. */
  openRunFiles(run: RunRef, onError: (e: unknown) => void): RunFiles;
  /** Writes a tier run's story log whole: a sharded tier's own, which indexes its shards' logs. */
  writeRunLog(run: RunRef, text: string): Promise<void>;
  /** Opens an approved proposal's story log for appending (its name comes from the layout); throws when it cannot be opened. */
  openApprovalLog(id: string): LogSink;
  /**
   * Deletes the run logs, event files, cycle summaries and approval logs last written
   * more than `days` days before `now` (0 keeps everything); never the ledger. Returns their names.
   */
  pruneRuns(days: number, now?: number): Promise<string[]>;

  // --- views: never change anything, tell `warn` about what they leave out ----------

  /** Summary names, newest first. */
  summaryNames(): Promise<string[]>;
  /** Cycles, newest first, optionally of some statuses, one page at a time. */
  cycles(options: {
    limit: number;
    offset?: number;
    statuses?: StoredCycleStatus[];
  }): Promise<{ rows: CycleRow[]; total: number }>;
  /** Cycles that started within the last `ms` before `now`, newest first. */
  since(ms: number, now?: number): Promise<CycleRow[]>;
  /** One cycle's whole summary, checked; undefined when it is missing or unreadable. */
  cycle(id: string): Promise<C | undefined>;
  /** A tier run's story log or raw events, by cycle and tier; only names the layout makes are read. */
  runFile(id: string, tier: number, kind: 'log' | 'jsonl', shard?: number): Promise<string | undefined>;
  /** An approved proposal's story log, by its id; only names the layout makes are read. */
  approvalLog(id: string): Promise<string | undefined>;
  /** Proposals, newest first. */
  proposals(): Promise<Proposal[]>;
  holds(): Promise<Holds>;
  checks(): Promise<CheckState>;
  /** Spend per UTC day over the last `days` days (today included), by model. */
  spendByDay(days: number, now?: Date): Promise<DaySpend[]>;
}

/** A checked summary as a row. */
export const toRow = (s: StoredSummary): CycleRow => ({
  id: s.id,
  startedAt: s.startedAt,
  durationMs: s.durationMs,
  trigger: s.trigger,
  status: s.status,
  summary: s.summary,
  costUsd: s.costUsd,
  tiers: s.tiers.map((t) => ({ tier: t.tier, exitClass: t.exitClass })),
  costByModel: costByModel(s.tiers),
  warnings: s.warnings?.length ?? 0,
});

function costByModel(tiers: StoredSummaryTier[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const t of tiers) {
    const usage = Object.entries(t.modelUsage ?? {});
    if (usage.length === 0 && t.costUsd > 0) out[t.model] = (out[t.model] ?? 0) + t.costUsd;
    for (const [model, u] of usage) out[model] = (out[model] ?? 0) + (u.costUSD ?? 0);
  }
  return out;
}

/** Rows summed by UTC day over the last `days` days (today included). */
export function spendByDay(rows: CycleRow[], days: number, now: Date): DaySpend[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: DaySpend[] = [];
  const index: Record<string, DaySpend> = Object.create(null);
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    index[day] = { day, totalUsd: 0, byModel: Object.create(null) };
    out.push(index[day]);
  }
  for (const r of rows) {
    const d = index[r.startedAt.slice(0, 10)];
    if (!d) continue;
    d.totalUsd += r.costUsd;
    for (const [model, usd] of Object.entries(r.costByModel)) d.byModel[model] = (d.byModel[model] ?? 0) + usd;
  }
  return out;
}

/** Newest first, a page of rows, optionally of some statuses. */
export async function pageOf(
  names: string[],
  rowsOf: (names: string[]) => Promise<CycleRow[]>,
  options: { limit: number; offset?: number; statuses?: StoredCycleStatus[] },
): Promise<{ rows: CycleRow[]; total: number }> {
  const offset = options.offset ?? 0;
  if (!options.statuses?.length) {
    const rows = await rowsOf(names.slice(offset, offset + options.limit));
    return { rows, total: names.length };
  }
  const all = (await rowsOf(names)).filter((r) => options.statuses!.includes(r.status));
  return { rows: all.slice(offset, offset + options.limit), total: all.length };
}

/** Runs `fn` after every earlier call with the same key has settled: one writer at a time per file. */
export class Serial {
  private readonly chains = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(key) ?? Promise.resolve()).then(fn);
    const settled = run.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return run;
  }
}
