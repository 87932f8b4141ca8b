import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Receipt, Verification } from '../receipts/chain.js';
import { unwritable, writeFileAtomic } from './atomic-file.js';
import { describeConversion, fromClaudeOps, storedCooldownSchema, type StoredCooldown } from './claude-ops.js';
import { loadJsonState } from './json-state.js';
import { loadKeyFile } from './key-file.js';
import {
  approvalLogName,
  claudeOpsOriginalNames,
  compareStamps,
  cycleStampBase,
  cycleStampCandidate,
  isApprovalLog,
  isCycleId,
  parseRunFile,
  runBase,
  runFileName,
  runLogName,
  STATE,
  summaryName,
  tierRunBase,
} from './layout.js';
import { chainFiles, Ledger, ledgerEntries, readAnchor, verifyLedger } from './ledger-file.js';
import { acquireLocks, type Lock } from './lock.js';
import {
  approvalsSchema,
  checkStateSchema,
  emptyApprovals,
  emptyCheckState,
  emptyCooldown,
  emptyMemory,
  memorySchema,
  type Memory,
  emptyHolds,
  emptyNotifyState,
  holdsSchema,
  notifyStateSchema,
  spendSchema,
  summarySchema,
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
import { openApprovalLog, openRunFiles, pruneFiles, writeRunLog } from './run-files.js';

/** Writes to one file wait for each other, whichever FileStore makes them. */
const serial = new Serial();

/** What `verify-receipts` finds: no receipts yet, a ledger whose key cannot be read, or the checked chain. */
export type ReceiptCheck =
  | { kind: 'none' }
  | { kind: 'no key'; keyFile: string; code: string }
  | { kind: 'checked'; verification: Verification };

/**
 * The store on disk: `<state>/` and `<results>/` as layout.ts names them. Writes are
 * atomic (a temporary beside the file, renamed over it), durable where losing them
 * would lose a limit; reads are checked by their schema, and a corrupt state file is
 * moved aside (kept) with a warning. Views never change a file.
 */
export class FileStore<C extends CycleLike = StoredSummary> implements Store<C> {
  private readonly rows = new Map<string, { mtimeMs: number; row: CycleRow | undefined }>();
  /** The ledger this store appends to, opened on the first receipt: it keeps the chain's tail. */
  private ledger: Ledger | undefined;

  constructor(
    readonly resultsDir: string,
    readonly stateDir: string,
    /** Told about what a view leaves out (a corrupt summary, an unreadable state file). */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  private state(name: keyof typeof STATE): string {
    return path.join(this.stateDir, STATE[name]);
  }

  // --- state ---------------------------------------------------------------------------

  loadCheckState(): Promise<Loaded<CheckState>> {
    return loadJsonState(this.state('checks'), checkStateSchema, emptyCheckState, 'check state');
  }

  saveCheckState(state: CheckState): Promise<void> {
    const file = this.state('checks');
    return serial.run(file, () => writeFileAtomic(file, JSON.stringify(state) + '\n', 0o644, false));
  }

  /**
   * A corrupt file is moved aside and a fresh state used. A Claude Ops file is converted
   * once: the original is kept beside it as `cooldown.claude-ops.json` and the converted
   * state written in its place.
   */
  loadCooldown(): Promise<LoadedCooldown> {
    // Converting writes the file: it waits for (and holds off) updates like one.
    return serial.run(this.state('cooldown'), () => this.readCooldown());
  }

  private async readCooldown(): Promise<LoadedCooldown> {
    const file = this.state('cooldown');
    const loaded = await loadJsonState<StoredCooldown>(
      file,
      storedCooldownSchema,
      () => ({ state: emptyCooldown() }),
      'cooldown state',
    );
    if (loaded.state.state)
      return { state: loaded.state.state, ...(loaded.warning ? { warning: loaded.warning } : {}) };
    const c = fromClaudeOps(loaded.state.old);
    const what = describeConversion(c);
    let aside: string | undefined;
    try {
      aside = await keepOriginal(file);
      await writeCooldown(file, c.state);
    } catch (e) {
      return {
        state: c.state,
        warning: `${file} is Claude Ops' cooldown state (${what}); it was converted for this cycle but could not be ${aside ? 'rewritten' : 'copied aside'} (${(e as NodeJS.ErrnoException).code ?? e}). Check that the state directory is writable`,
      };
    }
    return {
      state: c.state,
      converted: `converted ${file} from Claude Ops' schema: ${what}; the original is kept as ${aside}`,
    };
  }

  updateCooldown(fold: (current: CooldownState) => CooldownState): Promise<LoadedCooldown> {
    const file = this.state('cooldown');
    return serial.run(file, async () => {
      const current = await this.readCooldown();
      const state = fold(current.state);
      await writeCooldown(file, state);
      return { ...current, state };
    });
  }

  async loadSpend(now = new Date()): Promise<Spend> {
    try {
      const s = spendSchema.parse(JSON.parse(await fs.readFile(this.state('spend'), 'utf8')));
      return s.day === utcDay(now) ? s : { day: utcDay(now), usd: 0 };
    } catch {
      return { day: utcDay(now), usd: 0 };
    }
  }

  addSpend(usd: number, now = new Date()): Promise<Spend> {
    const file = this.state('spend');
    return serial.run(file, async () => {
      const s = await this.loadSpend(now);
      const next = { day: s.day, usd: s.usd + usd };
      await writeFileAtomic(file, JSON.stringify(next) + '\n', 0o644, false);
      return next;
    });
  }

  loadMemory(): Promise<Loaded<Memory>> {
    return loadJsonState(this.state('memory'), memorySchema, emptyMemory, 'memory');
  }

  updateMemory(fold: (current: Memory) => Memory): Promise<Memory> {
    const file = this.state('memory');
    return serial.run(file, async () => {
      const state = fold((await this.loadMemory()).state);
      await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', 0o600);
      return state;
    });
  }

  loadNotifyState(): Promise<Loaded<NotifyState>> {
    return loadJsonState(this.state('notify'), notifyStateSchema, emptyNotifyState, 'notification state');
  }

  saveNotifyState(state: NotifyState): Promise<void> {
    const file = this.state('notify');
    return serial.run(file, () => writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n'));
  }

  loadApprovals(reader = false): Promise<Loaded<Approvals>> {
    return loadJsonState(this.state('approvals'), approvalsSchema, emptyApprovals, 'approval state', reader);
  }

  saveApprovals(state: Approvals): Promise<void> {
    return this.saveSecret(this.state('approvals'), state);
  }

  loadHolds(reader = false): Promise<Loaded<Holds>> {
    return loadJsonState(this.state('holds'), holdsSchema, emptyHolds, 'acknowledgement state', reader);
  }

  saveHolds(state: Holds): Promise<void> {
    return this.saveSecret(this.state('holds'), state);
  }

  private saveSecret(file: string, state: unknown): Promise<void> {
    return serial.run(file, () => writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', 0o600));
  }

  linkKey(): Buffer {
    return loadKeyFile(this.state('linkKey'));
  }

  stateUnwritable(): Promise<string | undefined> {
    return unwritable(this.stateDir);
  }

  lock(mode: string): Lock {
    return acquireLocks({ stateDir: this.stateDir, resultsDir: this.resultsDir }, mode);
  }

  saveMergedMcp(text: string): Promise<string> {
    const file = this.state('mcpMerged');
    return serial.run(file, async () => {
      try {
        // Most cycles merge the same files again; an unchanged result is not rewritten.
        if ((await fs.readFile(file, 'utf8').catch(() => undefined)) !== text) await writeFileAtomic(file, text, 0o600);
        return file;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw Object.assign(new Error(`cannot write ${file} (${code ?? e})`), { code });
      }
    });
  }

  // --- the receipt ledger --------------------------------------------------------------

  ledgerKey(): Buffer {
    return loadKeyFile(this.state('ledgerKey'));
  }

  appendReceipt(entry: Record<string, unknown>, redact: (text: string) => string): Receipt {
    this.ledger ??= new Ledger(this.resultsDir, this.signingKey(), { stateDir: this.stateDir });
    return this.ledger.append(entry, redact);
  }

  private signingKey(): Buffer {
    try {
      return this.ledgerKey();
    } catch {
      return randomBytes(32);
    }
  }

  receipts(): Record<string, unknown>[] {
    return ledgerEntries(this.resultsDir);
  }

  /** The chain checked with the state directory's key and anchor; a reader's: it never makes a key. */
  verifyReceipts(): ReceiptCheck {
    const anchor = readAnchor(this.stateDir);
    if (chainFiles(this.resultsDir).length === 0 && !anchor) return { kind: 'none' };
    const keyFile = this.state('ledgerKey');
    let key: Buffer;
    try {
      key = fsSync.readFileSync(keyFile);
    } catch (e) {
      return { kind: 'no key', keyFile, code: String((e as NodeJS.ErrnoException).code ?? e) };
    }
    return { kind: 'checked', verification: verifyLedger(this.resultsDir, key, anchor) };
  }

  // --- results -------------------------------------------------------------------------

  /** Cycles never overlap, and each leaves a summary before the next starts: the files show what is taken. */
  newCycleId(now = new Date()): string {
    const base = cycleStampBase(now);
    for (let n = 1; ; n++) {
      const id = cycleStampCandidate(base, n);
      if (
        !fsSync.existsSync(path.join(this.resultsDir, runLogName(tierRunBase(id, 1)))) &&
        !fsSync.existsSync(path.join(this.resultsDir, summaryName(id)))
      )
        return id;
    }
  }

  /** Not durable, like every report: the run's logs and receipts say the same. */
  async writeCycle(record: C, redact: (text: string) => string): Promise<string> {
    const file = path.join(this.resultsDir, summaryName(record.id));
    await serial.run(file, () => writeFileAtomic(file, redact(JSON.stringify(record, null, 2)) + '\n', 0o640, false));
    return file;
  }

  openRunFiles(run: RunRef, onError: (e: unknown) => void): RunFiles {
    return openRunFiles(this.resultsDir, runBase(run), onError);
  }

  writeRunLog(run: RunRef, text: string): Promise<void> {
    return writeRunLog(this.resultsDir, runBase(run), text);
  }

  openApprovalLog(id: string): LogSink {
    return openApprovalLog(this.resultsDir, id);
  }

  pruneRuns(days: number, now = Date.now()): Promise<string[]> {
    return pruneFiles(this.resultsDir, days, now);
  }

  // --- views ---------------------------------------------------------------------------

  async summaryNames(): Promise<string[]> {
    const names = await fs.readdir(this.resultsDir).catch(() => [] as string[]);
    return names
      .filter((n) => parseRunFile(n)?.summary)
      .sort(compareStamps)
      .reverse();
  }

  async cycles(options: Parameters<Store['cycles']>[0]): Promise<{ rows: CycleRow[]; total: number }> {
    return pageOf(await this.summaryNames(), (names) => this.rowsOf(names), options);
  }

  async since(ms: number, now = Date.now()): Promise<CycleRow[]> {
    const cutoff = now - ms;
    const names = (await this.summaryNames()).filter((n) => parseRunFile(n)!.day + 86_400_000 > cutoff);
    return (await this.rowsOf(names)).filter((r) => Date.parse(r.startedAt) >= cutoff);
  }

  async cycle(id: string): Promise<C | undefined> {
    if (!isCycleId(id)) return undefined;
    return (await this.readSummary(summaryName(id))) as C | undefined;
  }

  async runFile(id: string, tier: number, kind: 'log' | 'jsonl', shard?: number): Promise<string | undefined> {
    if (!runFileAllowed(id, tier, shard)) return undefined;
    return fs
      .readFile(path.join(this.resultsDir, runFileName(runBase({ id, tier, shard }), kind)), 'utf8')
      .catch(() => undefined);
  }

  async approvalLog(id: string): Promise<string | undefined> {
    const name = approvalLogName(id);
    if (!isApprovalLog(name)) return undefined;
    return fs.readFile(path.join(this.resultsDir, name), 'utf8').catch(() => undefined);
  }

  async proposals(): Promise<Proposal[]> {
    const { state, warning } = await this.loadApprovals(true);
    if (warning) this.warn(warning);
    return Object.values(state.proposals).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async holds(): Promise<Holds> {
    const { state, warning } = await this.loadHolds(true);
    if (warning) this.warn(warning);
    return state;
  }

  async checks(): Promise<CheckState> {
    const { state, warning } = await loadJsonState(
      this.state('checks'),
      checkStateSchema,
      emptyCheckState,
      'check state',
      true,
    );
    if (warning) this.warn(warning);
    return state;
  }

  async spendByDay(days: number, now = new Date()): Promise<DaySpend[]> {
    return spendByDay(await this.since(days * 86_400_000, now.getTime()), days, now);
  }

  private async rowsOf(names: string[]): Promise<CycleRow[]> {
    const rows = await Promise.all(names.map((n) => this.row(n)));
    return rows.filter((r): r is CycleRow => r !== undefined);
  }

  /** Summaries never change once written: a row is read once, and again only if the file's mtime moves. */
  private async row(name: string): Promise<CycleRow | undefined> {
    const file = path.join(this.resultsDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) return undefined;
    const cached = this.rows.get(name);
    if (cached && cached.mtimeMs === st.mtimeMs) return cached.row;
    const s = await this.readSummary(name);
    const row = s && toRow(s);
    this.rows.set(name, { mtimeMs: st.mtimeMs, row });
    return row;
  }

  private async readSummary(name: string): Promise<StoredSummary | undefined> {
    const file = path.join(this.resultsDir, name);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    return parseSummary(text, file, this.warn);
  }
}

/** Only names the layout makes: a cycle id, tiers 1 to 3, a positive shard. */
export const runFileAllowed = (id: string, tier: number, shard?: number): boolean =>
  isCycleId(id) && [1, 2, 3].includes(tier) && (shard === undefined || (Number.isInteger(shard) && shard > 0));

/** A summary's text checked; what is wrong with it goes to `warn`, and it is left out. */
export function parseSummary(text: string, where: string, warn: (m: string) => void): StoredSummary | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    warn(`${where} is not valid JSON (${(e as Error).message}); left out`);
    return undefined;
  }
  const parsed = summarySchema.safeParse(json);
  if (!parsed.success) {
    warn(
      `${where} is not a cycle summary (${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}); left out`,
    );
    return undefined;
  }
  return parsed.data;
}

/** Durable: the limits must survive a power cut. */
const writeCooldown = (file: string, state: CooldownState): Promise<void> =>
  writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');

/** Copies a file to `<name>.claude-ops.json` beside it (or a stamped name, if that is taken); never overwrites. */
async function keepOriginal(file: string): Promise<string> {
  const names = claudeOpsOriginalNames(path.basename(file), new Date()).map((n) => path.join(path.dirname(file), n));
  for (const name of names) {
    try {
      await fs.copyFile(file, name, fs.constants.COPYFILE_EXCL);
      return name;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`${names[0]} and a stamped name beside it exist already`);
}
