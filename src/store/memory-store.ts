import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { GENESIS, parseEntries, signReceipt, type Receipt, type Tail } from '../receipts/chain.js';
import { expired, mayPrune } from './retention.js';
import {
  approvalLogName,
  compareStamps,
  cycleStampBase,
  cycleStampCandidate,
  approvalLogToWrite,
  isApprovalLog,
  isCycleId,
  LEDGER,
  parseRunFile,
  runBase,
  runEventsName,
  runFileName,
  runLogName,
  STATE,
  summaryName,
  tierRunBase,
} from './layout.js';
import type { Lock } from './lock.js';
import { parseSummary, runFileAllowed } from './file-store.js';
import { parseJsonState } from './json-state.js';
import {
  approvalsSchema,
  checkStateSchema,
  cooldownSchema,
  holdsSchema,
  notifyStateSchema,
  spendSchema,
  emptyApprovals,
  emptyCheckState,
  emptyCooldown,
  emptyMemory,
  memorySchema,
  type Memory,
  emptyHolds,
  emptyNotifyState,
  utcDay,
  type Approvals,
  type CheckState,
  type CooldownState,
  type Holds,
  type LoadedCooldown,
  type NotifyState,
  type Proposal,
  type Spend,
  type StoredSummary,
} from './records.js';
import {
  pageOf,
  Serial,
  spendByDay,
  toRow,
  type CycleLike,
  type CycleRow,
  type DaySpend,
  type Loaded,
  type LogSink,
  type RunFiles,
  type RunRef,
  type Store,
} from './store.js';

type StateName = 'checks' | 'cooldown' | 'spend' | 'notify' | 'approvals' | 'holds' | 'memory';

/**
 * The store in memory, for fast tests of the daemon's logic. Everything is kept as the
 * file store would keep it: serialised to JSON (redacted, for summaries) and parsed back
 * on every read, so no caller shares an object with the store. `failWrites` makes the
 * named states refuse to save, as a full disk would.
 */
export class MemoryStore<C extends CycleLike = StoredSummary> implements Store<C> {
  /** Files by name, as the file store names them in the state and results directories. */
  readonly stateFiles = new Map<string, string>();
  readonly resultFiles = new Map<string, string>();
  readonly failWrites = new Set<StateName | 'summary'>();
  private readonly serial = new Serial();
  private key: Buffer | undefined;
  private receiptKey: Buffer | undefined;
  private tail: Tail = { seq: 0, hash: GENESIS };
  /** When each result file was last written (ms), for retention. */
  private readonly writtenAt = new Map<string, number>();

  constructor(private readonly warn: (message: string) => void = () => undefined) {}

  private read<T>(name: StateName, schema: z.ZodType<T>, empty: () => T): T {
    const text = this.stateFiles.get(name);
    if (text === undefined) return empty();
    const parsed = parseJsonState(text, schema);
    if (!parsed.ok) throw new Error(`the memory store's ${name} is not what was saved (${parsed.why})`);
    return parsed.state;
  }

  private write(name: StateName, state: unknown): Promise<void> {
    return this.serial.run(name, async () => {
      if (this.failWrites.has(name))
        throw Object.assign(new Error(`ENOSPC: no space left (${name})`), { code: 'ENOSPC' });
      this.stateFiles.set(name, JSON.stringify(state));
    });
  }

  async loadCheckState(): Promise<Loaded<CheckState>> {
    return { state: this.read('checks', checkStateSchema, emptyCheckState) };
  }

  saveCheckState(state: CheckState): Promise<void> {
    return this.write('checks', state);
  }

  async loadCooldown(): Promise<LoadedCooldown> {
    return { state: this.read('cooldown', cooldownSchema, emptyCooldown) };
  }

  updateCooldown(fold: (current: CooldownState) => CooldownState): Promise<LoadedCooldown> {
    return this.serial.run('cooldown:update', async () => {
      const state = fold(this.read('cooldown', cooldownSchema, emptyCooldown));
      await this.write('cooldown', state);
      return { state };
    });
  }

  async loadMemory(): Promise<Loaded<Memory>> {
    return { state: this.read('memory', memorySchema, emptyMemory) };
  }

  updateMemory(fold: (current: Memory) => Memory): Promise<Memory> {
    return this.serial.run('memory:update', async () => {
      const state = fold(this.read('memory', memorySchema, emptyMemory));
      await this.write('memory', state);
      return state;
    });
  }

  async loadSpend(now = new Date()): Promise<Spend> {
    // As the file store reads it: an unreadable spend is no spend.
    try {
      const s = spendSchema.parse(JSON.parse(this.stateFiles.get('spend') ?? ''));
      return s.day === utcDay(now) ? s : { day: utcDay(now), usd: 0 };
    } catch {
      return { day: utcDay(now), usd: 0 };
    }
  }

  addSpend(usd: number, now = new Date()): Promise<Spend> {
    return this.serial.run('spend:add', async () => {
      const s = await this.loadSpend(now);
      const next = { day: s.day, usd: s.usd + usd };
      await this.write('spend', next);
      return next;
    });
  }

  async loadNotifyState(): Promise<Loaded<NotifyState>> {
    return { state: this.read('notify', notifyStateSchema, emptyNotifyState) };
  }

  saveNotifyState(state: NotifyState): Promise<void> {
    return this.write('notify', state);
  }

  async loadApprovals(): Promise<Loaded<Approvals>> {
    return { state: this.read('approvals', approvalsSchema, emptyApprovals) };
  }

  saveApprovals(state: Approvals): Promise<void> {
    return this.write('approvals', state);
  }

  async loadHolds(): Promise<Loaded<Holds>> {
    return { state: this.read('holds', holdsSchema, emptyHolds) };
  }

  saveHolds(state: Holds): Promise<void> {
    return this.write('holds', state);
  }

  linkKey(): Buffer {
    return (this.key ??= randomBytes(32));
  }

  async stateUnwritable(): Promise<string | undefined> {
    return this.failWrites.size ? 'the memory store cannot take a write (ENOSPC)' : undefined;
  }

  /** A memory store is its process's own: there is no other daemon to keep out. */
  lock(): Lock {
    return { ok: true, release: () => undefined };
  }

  async saveMergedMcp(text: string): Promise<string> {
    this.stateFiles.set('mcpMerged', text);
    return STATE.mcpMerged;
  }

  ledgerKey(): Buffer {
    return (this.receiptKey ??= randomBytes(32));
  }

  appendReceipt(entry: Record<string, unknown>, redact: (text: string) => string): Receipt {
    const signed = signReceipt(this.ledgerKey(), this.tail, entry, redact, new Date());
    this.putResult(LEDGER, (this.resultFiles.get(LEDGER) ?? '') + `${signed.line}\n`);
    this.tail = signed.tail;
    return signed.receipt;
  }

  receipts(): Record<string, unknown>[] {
    return parseEntries(this.resultFiles.get(LEDGER) ?? '');
  }

  private putResult(name: string, text: string): void {
    this.resultFiles.set(name, text);
    this.writtenAt.set(name, Date.now());
  }

  private appendResult(name: string, text: string): void {
    this.putResult(name, (this.resultFiles.get(name) ?? '') + text);
  }

  newCycleId(now = new Date()): string {
    const base = cycleStampBase(now);
    for (let n = 1; ; n++) {
      const id = cycleStampCandidate(base, n);
      if (!this.resultFiles.has(runLogName(tierRunBase(id, 1))) && !this.resultFiles.has(summaryName(id))) return id;
    }
  }

  async writeCycle(record: C, redact: (text: string) => string): Promise<string> {
    if (this.failWrites.has('summary'))
      throw Object.assign(new Error('ENOSPC: no space left (summary)'), { code: 'ENOSPC' });
    const name = summaryName(record.id);
    this.putResult(name, redact(JSON.stringify(record, null, 2)) + '\n');
    return name;
  }

  openRunFiles(run: RunRef): RunFiles {
    const base = runBase(run);
    for (const name of [runLogName(base), runEventsName(base)]) this.appendResult(name, '');
    return {
      log: (text) => this.appendResult(runLogName(base), text),
      events: (bytes) => void this.appendResult(runEventsName(base), bytes.toString('utf8')),
      close: async () => undefined,
    };
  }

  async writeRunLog(run: RunRef, text: string): Promise<void> {
    this.putResult(runLogName(runBase(run)), text);
  }

  openApprovalLog(id: string): LogSink {
    const name = approvalLogToWrite(id);
    this.appendResult(name, '');
    return { write: (text) => this.appendResult(name, text), close: () => undefined };
  }

  async pruneRuns(days: number, now = Date.now()): Promise<string[]> {
    const removed = [...this.resultFiles.keys()].filter(
      (n) => mayPrune(n, days, now) && expired(this.writtenAt.get(n) ?? now, days, now),
    );
    for (const n of removed) this.resultFiles.delete(n);
    return removed;
  }

  /** A tier run's file, as a run would leave it. */
  putRunFile(id: string, tier: number, kind: 'log' | 'jsonl', text: string, shard?: number): void {
    this.putResult(runFileName(runBase({ id, tier, shard }), kind), text);
  }

  async summaryNames(): Promise<string[]> {
    return [...this.resultFiles.keys()]
      .filter((n) => parseRunFile(n)?.summary)
      .sort(compareStamps)
      .reverse();
  }

  async cycles(options: Parameters<Store['cycles']>[0]): Promise<{ rows: CycleRow[]; total: number }> {
    return pageOf(await this.summaryNames(), async (names) => this.rowsOf(names), options);
  }

  async since(ms: number, now = Date.now()): Promise<CycleRow[]> {
    const cutoff = now - ms;
    const names = (await this.summaryNames()).filter((n) => parseRunFile(n)!.day + 86_400_000 > cutoff);
    return this.rowsOf(names).filter((r) => Date.parse(r.startedAt) >= cutoff);
  }

  async cycle(id: string): Promise<C | undefined> {
    if (!isCycleId(id)) return undefined;
    return this.summary(summaryName(id)) as C | undefined;
  }

  async runFile(id: string, tier: number, kind: 'log' | 'jsonl', shard?: number): Promise<string | undefined> {
    if (!runFileAllowed(id, tier, shard)) return undefined;
    return this.resultFiles.get(runFileName(runBase({ id, tier, shard }), kind));
  }

  async approvalLog(id: string): Promise<string | undefined> {
    const name = approvalLogName(id);
    return isApprovalLog(name) ? this.resultFiles.get(name) : undefined;
  }

  async proposals(): Promise<Proposal[]> {
    return Object.values((await this.loadApprovals()).state.proposals).sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt),
    );
  }

  async holds(): Promise<Holds> {
    return (await this.loadHolds()).state;
  }

  async checks(): Promise<CheckState> {
    return (await this.loadCheckState()).state;
  }

  async spendByDay(days: number, now = new Date()): Promise<DaySpend[]> {
    return spendByDay(await this.since(days * 86_400_000, now.getTime()), days, now);
  }

  private summary(name: string): StoredSummary | undefined {
    const text = this.resultFiles.get(name);
    return text === undefined ? undefined : parseSummary(text, name, this.warn);
  }

  private rowsOf(names: string[]): CycleRow[] {
    return names.flatMap((n) => {
      const s = this.summary(n);
      return s ? [toRow(s)] : [];
    });
  }
}
