import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import { loadJsonState } from '../state/json-state.js';
import type { CheckStatus } from '../checks/results.js';

const actionSchema = z.object({
  at: z.iso.datetime(),
  action: z.enum(['restart', 'redeploy']),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'dry-run']),
  tier: z.number().int().min(1).max(3),
});

const serviceSchema = z.object({
  actions: z.array(actionSchema),
  consecutiveHealthy: z.number().int().min(0),
});

export const cooldownSchema = z.object({
  version: z.literal(1),
  services: z.record(z.string(), serviceSchema),
  lastRun: z.iso.datetime().optional(),
});

export type CooldownState = z.infer<typeof cooldownSchema>;
export type Limits = Config['cooldown'];

export const emptyCooldown = (): CooldownState => ({ version: 1, services: Object.create(null) });

// Upstream Claude Ops (github.com/joestump/claude-ops, skills/cooldowns.md) keeps the same
// file in its own schema; a team switching over brings it along. Records are read one by
// one so that a single odd one (the agent writes this file by hand) does not lose the rest.
const claudeOpsRecord = z.object({ timestamp: z.string(), success: z.boolean().optional() }).loose();
const claudeOpsSchema = z
  .object({
    version: z.undefined().optional(),
    services: z.record(
      z.string(),
      z
        .object({
          restarts: z.array(z.unknown()).optional(),
          redeployments: z.array(z.unknown()).optional(),
          consecutive_healthy: z.number().optional(),
        })
        .loose(),
    ),
    last_run: z.string().nullable().optional(),
  })
  .loose();

export type ClaudeOpsCooldown = z.infer<typeof claudeOpsSchema>;

export interface Converted {
  state: CooldownState;
  restarts: number;
  redeploys: number;
  /** Records without a readable timestamp, left out. */
  unreadable: number;
}

/**
 * Claude Ops' cooldown state in ours: its restarts are tier 2's restarts and its
 * redeployments tier 3's, each `succeeded` or `failed` as its `success` says (both
 * count against the limits, as they do upstream); `consecutive_healthy` and `last_run`
 * carry over. Its `error` texts and `last_daily_digest` have no place here.
 */
export function fromClaudeOps(old: ClaudeOpsCooldown): Converted {
  const out: Converted = { state: emptyCooldown(), restarts: 0, redeploys: 0, unreadable: 0 };
  const records = (
    list: unknown[] | undefined,
    action: 'restart' | 'redeploy',
    tier: 2 | 3,
  ): CooldownState['services'][string]['actions'] =>
    (list ?? []).flatMap((raw) => {
      const r = claudeOpsRecord.safeParse(raw);
      const at = r.success ? Date.parse(r.data.timestamp) : NaN;
      if (!r.success || Number.isNaN(at)) {
        out.unreadable++;
        return [];
      }
      out[action === 'restart' ? 'restarts' : 'redeploys']++;
      return [
        { at: new Date(at).toISOString(), action, outcome: r.data.success === false ? 'failed' : 'succeeded', tier },
      ];
    });
  for (const [name, s] of Object.entries(old.services)) {
    const actions = [...records(s.restarts, 'restart', 2), ...records(s.redeployments, 'redeploy', 3)].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at),
    );
    out.state.services[name] = { actions, consecutiveHealthy: Math.max(0, Math.floor(s.consecutive_healthy ?? 0)) };
  }
  const lastRun = old.last_run ? Date.parse(old.last_run) : NaN;
  if (!Number.isNaN(lastRun)) out.state.lastRun = new Date(lastRun).toISOString();
  return out;
}

type Stored = { state: CooldownState; old?: undefined } | { state: undefined; old: ClaudeOpsCooldown };

/** Our state, or Claude Ops'; a file that is neither is reported with our schema's complaints. */
const storedSchema = z.unknown().transform((value, ctx): Stored => {
  const ours = cooldownSchema.safeParse(value);
  if (ours.success) return { state: ours.data };
  const old = claudeOpsSchema.safeParse(value);
  if (old.success) return { state: undefined, old: old.data };
  for (const issue of ours.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

export interface LoadedCooldown {
  state: CooldownState;
  warning?: string;
  /** Set when a Claude Ops file was converted: one line for the log, at info level. */
  converted?: string;
}

/**
 * Loads `<state>/cooldown.json`; a corrupt file is moved aside and a fresh state used.
 * A Claude Ops file is converted once: the original is kept beside it as
 * `cooldown.claude-ops.json` and the converted state written in its place.
 */
export async function loadCooldown(file: string): Promise<LoadedCooldown> {
  const loaded = await loadJsonState<Stored>(file, storedSchema, () => ({ state: emptyCooldown() }), 'cooldown state');
  if (loaded.state.state) return { state: loaded.state.state, ...(loaded.warning ? { warning: loaded.warning } : {}) };
  const c = fromClaudeOps(loaded.state.old);
  const what = `${c.restarts} restart(s) and ${c.redeploys} redeployment(s) of ${Object.keys(c.state.services).length} service(s)${c.unreadable ? ` (${c.unreadable} record(s) without a readable timestamp left out)` : ''}`;
  let aside: string | undefined;
  try {
    aside = await keepOriginal(file);
    await saveCooldown(file, c.state);
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

/** Copies a file to `<name>.claude-ops.json` beside it (or a stamped name, if that is taken); never overwrites. */
async function keepOriginal(file: string): Promise<string> {
  const base = path.join(path.dirname(file), path.basename(file, '.json'));
  for (const name of [
    `${base}.claude-ops.json`,
    `${base}.claude-ops-${new Date().toISOString().replace(/[:.]/g, '')}.json`,
  ]) {
    try {
      await fs.copyFile(file, name, fs.constants.COPYFILE_EXCL);
      return name;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`${base}.claude-ops.json and a stamped name beside it exist already`);
}

export const saveCooldown = (file: string, state: CooldownState): Promise<void> =>
  writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');

export interface Allowance {
  restartsLeft: number;
  redeploysLeft: number;
  restarts: number;
  redeploys: number;
}

/** How many restarts and redeployments a service has left within its windows. */
export function allowance(state: CooldownState, service: string, limits: Limits, now: Date): Allowance {
  const actions = state.services[service]?.actions ?? [];
  const count = (kind: 'restart' | 'redeploy', windowMs: number) =>
    actions.filter(
      (a) =>
        a.action === kind &&
        a.outcome !== 'dry-run' &&
        a.outcome !== 'skipped' &&
        now.getTime() - Date.parse(a.at) < windowMs,
    ).length;
  const restarts = count('restart', limits.restartWindowMs);
  const redeploys = count('redeploy', limits.redeployWindowMs);
  return {
    restarts,
    redeploys,
    restartsLeft: Math.max(0, limits.maxRestarts - restarts),
    redeploysLeft: Math.max(0, limits.maxRedeploys - redeploys),
  };
}

/**
 * Tier 2 may restart, and hands up to tier 3; tier 3 adds only redeployment. So a
 * service with no redeployment left is withheld from tier 3 whatever restarts remain,
 * and one with neither left is withheld from tier 2 too.
 */
export function withheldFrom(tier: 2 | 3, a: Allowance): boolean {
  return tier === 2 ? a.restartsLeft === 0 && a.redeploysLeft === 0 : a.redeploysLeft === 0;
}

/** What a cycle did to services, as the cooldown counts it. */
export interface CycleActions {
  /** Restarts and redeployments every tier's verdict reported. */
  remediations: {
    tier: number;
    service: string;
    action: string;
    outcome: 'succeeded' | 'failed' | 'skipped' | 'dry-run';
  }[];
  /** Each service tier 1 judged, with its status; later tiers' word does not count (they judge their own fixes). */
  tier1: Map<string, CheckStatus>;
}

/**
 * Folds a cycle into the state: remediations from every tier are counted, a service's
 * healthy streak grows only when tier 1 judged it healthy (or degraded) and resets
 * otherwise, and after `resetAfterHealthy` such cycles in a row its counters are
 * cleared. Old actions outside both windows are dropped.
 */
export function applyCycle(state: CooldownState, cycle: CycleActions, limits: Limits, now: Date): CooldownState {
  const next: CooldownState = { ...state, services: Object.create(null) };
  for (const [name, s] of Object.entries(state.services)) next.services[name] = structuredClone(s);
  const service = (name: string) => (next.services[name] ??= { actions: [], consecutiveHealthy: 0 });
  for (const r of cycle.remediations) {
    if (r.action === 'restart' || r.action === 'redeploy')
      service(r.service).actions.push({ at: now.toISOString(), action: r.action, outcome: r.outcome, tier: r.tier });
  }
  for (const [name, status] of cycle.tier1) {
    const s = service(name);
    s.consecutiveHealthy = status === 'healthy' || status === 'degraded' ? s.consecutiveHealthy + 1 : 0;
    if (s.consecutiveHealthy >= limits.resetAfterHealthy) s.actions = [];
  }
  const horizon = Math.max(limits.restartWindowMs, limits.redeployWindowMs);
  for (const s of Object.values(next.services))
    s.actions = s.actions.filter((a) => now.getTime() - Date.parse(a.at) < horizon);
  next.lastRun = now.toISOString();
  return next;
}
