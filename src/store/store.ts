import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { loadCheckState, type CheckState } from '../checks/check-state.js';
import { loadApprovals, loadHolds, type Holds, type Proposal } from '../approval/state.js';
import { CYCLE_STATUSES, type CycleRecord, type CycleStatus } from '../record/cycle-record.js';
import { compareStamps, parseRunFile, shardRunBase, STATE, summaryName, tierRunBase } from './layout.js';

// The one reader of the results and state directories: the console, `status` and
// anything else that shows history go through it. Files stay the source of truth;
// summaries are read once and kept as small rows (they never change once written).

const tierSchema = z
  .object({
    tier: z.number().int().min(1).max(3),
    model: z.string(),
    exitClass: z.string(),
    costUsd: z.number(),
    durationMs: z.number(),
    modelUsage: z.record(z.string(), z.object({ costUSD: z.number().optional() }).loose()).optional(),
  })
  .loose();

const summarySchema = z
  .object({
    id: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    durationMs: z.number(),
    trigger: z.string(),
    dryRun: z.boolean(),
    status: z.enum(CYCLE_STATUSES as [CycleStatus, ...CycleStatus[]]),
    summary: z.string(),
    costUsd: z.number(),
    tiers: z.array(tierSchema),
    warnings: z.array(z.string()).optional(),
  })
  .loose();

/** What lists and charts need of one cycle. */
export interface CycleRow {
  id: string;
  startedAt: string;
  durationMs: number;
  trigger: string;
  status: CycleStatus;
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

export class ResultsStore {
  private readonly rows = new Map<string, { mtimeMs: number; row: CycleRow | undefined }>();

  constructor(
    readonly resultsDir: string,
    readonly stateDir: string,
    /** Told about a summary that cannot be read (corrupt, partial): it is left out. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Summary names, newest first. */
  async summaryNames(): Promise<string[]> {
    const names = await fs.readdir(this.resultsDir).catch(() => [] as string[]);
    return names
      .filter((n) => parseRunFile(n)?.summary)
      .sort(compareStamps)
      .reverse();
  }

  /** Cycles, newest first, optionally of some statuses, one page at a time. */
  async cycles(options: {
    limit: number;
    offset?: number;
    statuses?: CycleStatus[];
  }): Promise<{ rows: CycleRow[]; total: number }> {
    const names = await this.summaryNames();
    const offset = options.offset ?? 0;
    if (!options.statuses?.length) {
      const rows = await this.rowsOf(names.slice(offset, offset + options.limit));
      return { rows, total: names.length };
    }
    const all = (await this.rowsOf(names)).filter((r) => options.statuses!.includes(r.status));
    return { rows: all.slice(offset, offset + options.limit), total: all.length };
  }

  /** Cycles that started within the last `ms` before `now`, newest first. */
  async since(ms: number, now = Date.now()): Promise<CycleRow[]> {
    const cutoff = now - ms;
    const names = (await this.summaryNames()).filter((n) => parseRunFile(n)!.day + 86_400_000 > cutoff);
    return (await this.rowsOf(names)).filter((r) => Date.parse(r.startedAt) >= cutoff);
  }

  /** One cycle's whole summary, checked; undefined when it is missing or unreadable. */
  async cycle(id: string): Promise<CycleRecord | undefined> {
    if (!/^run-[\d-]+$/.test(id)) return undefined;
    const parsed = await this.readSummary(summaryName(id));
    return parsed as CycleRecord | undefined;
  }

  /** A tier run's story log or raw events, by cycle and tier; only names the layout makes are read. */
  async runFile(id: string, tier: number, kind: 'log' | 'jsonl', shard?: number): Promise<string | undefined> {
    if (
      !/^run-[\d-]+$/.test(id) ||
      ![1, 2, 3].includes(tier) ||
      (shard !== undefined && !(Number.isInteger(shard) && shard > 0))
    )
      return undefined;
    const base = shard === undefined ? tierRunBase(id, tier) : shardRunBase(id, tier, shard);
    return fs.readFile(path.join(this.resultsDir, `${base}.${kind}`), 'utf8').catch(() => undefined);
  }

  /** Proposals, newest first. */
  async proposals(): Promise<Proposal[]> {
    const { state, warning } = await loadApprovals(path.join(this.stateDir, STATE.approvals), true);
    if (warning) this.warn(warning);
    return Object.values(state.proposals).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async holds(): Promise<Holds> {
    const { state, warning } = await loadHolds(path.join(this.stateDir, STATE.holds), true);
    if (warning) this.warn(warning);
    return state;
  }

  async checks(): Promise<CheckState> {
    const { state, warning } = await loadCheckState(path.join(this.stateDir, STATE.checks), true);
    if (warning) this.warn(warning);
    return state;
  }

  /** Spend per UTC day over the last `days` days (today included), by model. */
  async spendByDay(days: number, now = new Date()): Promise<DaySpend[]> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const out: DaySpend[] = [];
    const index: Record<string, DaySpend> = Object.create(null);
    for (let i = days - 1; i >= 0; i--) {
      const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
      index[day] = { day, totalUsd: 0, byModel: Object.create(null) };
      out.push(index[day]);
    }
    for (const r of await this.since(days * 86_400_000, now.getTime())) {
      const d = index[r.startedAt.slice(0, 10)];
      if (!d) continue;
      d.totalUsd += r.costUsd;
      for (const [model, usd] of Object.entries(r.costByModel)) d.byModel[model] = (d.byModel[model] ?? 0) + usd;
    }
    return out;
  }

  private async rowsOf(names: string[]): Promise<CycleRow[]> {
    const rows = await Promise.all(names.map((n) => this.row(n)));
    return rows.filter((r): r is CycleRow => r !== undefined);
  }

  private async row(name: string): Promise<CycleRow | undefined> {
    const file = path.join(this.resultsDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) return undefined;
    const cached = this.rows.get(name);
    if (cached && cached.mtimeMs === st.mtimeMs) return cached.row;
    const s = await this.readSummary(name);
    const row: CycleRow | undefined = s && {
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
    };
    this.rows.set(name, { mtimeMs: st.mtimeMs, row });
    return row;
  }

  private async readSummary(name: string): Promise<z.infer<typeof summarySchema> | undefined> {
    const file = path.join(this.resultsDir, name);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      this.warn(`${file} is not valid JSON (${(e as Error).message}); left out`);
      return undefined;
    }
    const parsed = summarySchema.safeParse(json);
    if (!parsed.success) {
      this.warn(
        `${file} is not a cycle summary (${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}); left out`,
      );
      return undefined;
    }
    return parsed.data;
  }
}

function costByModel(tiers: z.infer<typeof tierSchema>[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const t of tiers) {
    const usage = Object.entries(t.modelUsage ?? {});
    if (usage.length === 0 && t.costUsd > 0) out[t.model] = (out[t.model] ?? 0) + t.costUsd;
    for (const [model, u] of usage) out[model] = (out[model] ?? 0) + (u.costUSD ?? 0);
  }
  return out;
}
