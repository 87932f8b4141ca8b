import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import type { TierRun } from '../tier/tier-run.js';

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

export const emptyCooldown = (): CooldownState => ({ version: 1, services: {} });

/**
 * Loads `<state>/cooldown.json`. A file that cannot be parsed is moved aside (kept
 * for inspection) and a fresh state is used; the warning says where it went.
 */
export async function loadCooldown(file: string): Promise<{ state: CooldownState; warning?: string }> {
  await removeStaleTemporaries(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyCooldown() };
    return { state: emptyCooldown(), warning: `${file} cannot be read (${(e as NodeJS.ErrnoException).code}); using a fresh cooldown state for this cycle` };
  }
  const parsed = safeJson(text);
  const checked = parsed.ok ? cooldownSchema.safeParse(parsed.value) : undefined;
  if (checked?.success) return { state: checked.data };
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '')}`;
  const why = parsed.ok ? checked!.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : parsed.error;
  try {
    await fs.rename(file, aside);
  } catch (e) {
    return { state: emptyCooldown(), warning: `${file} is corrupt (${why}) and could not be moved aside (${(e as NodeJS.ErrnoException).code}); using a fresh state` };
  }
  return { state: emptyCooldown(), warning: `${file} was corrupt (${why}); moved it to ${aside} and started a fresh cooldown state` };
}

export const saveCooldown = (file: string, state: CooldownState): Promise<void> => writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');

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
    actions.filter((a) => a.action === kind && a.outcome !== 'dry-run' && a.outcome !== 'skipped' && now.getTime() - Date.parse(a.at) < windowMs).length;
  const restarts = count('restart', limits.restartWindowMs);
  const redeploys = count('redeploy', limits.redeployWindowMs);
  return {
    restarts,
    redeploys,
    restartsLeft: Math.max(0, limits.maxRestarts - restarts),
    redeploysLeft: Math.max(0, limits.maxRedeploys - redeploys),
  };
}

/** Tier 2 may only restart; tier 3 may also redeploy. A service with nothing left for a tier is withheld from it. */
export function withheldFrom(tier: 2 | 3, a: Allowance): boolean {
  return tier === 2 ? a.restartsLeft === 0 : a.restartsLeft === 0 && a.redeploysLeft === 0;
}

/**
 * Folds a cycle's verdicts into the state: remediations are counted, a service's
 * healthy streak grows or resets, and after `resetAfterHealthy` healthy cycles in a
 * row its counters are cleared. Old actions outside both windows are dropped.
 */
export function applyCycle(state: CooldownState, runs: TierRun[], limits: Limits, now: Date): CooldownState {
  const next: CooldownState = structuredClone(state);
  const service = (name: string) => (next.services[name] ??= { actions: [], consecutiveHealthy: 0 });
  for (const run of runs) {
    for (const r of run.verdict?.remediations ?? []) {
      if (r.action === 'restart' || r.action === 'redeploy') service(r.service).actions.push({ at: now.toISOString(), action: r.action, outcome: r.outcome, tier: run.tier });
    }
  }
  const final = [...runs].reverse().find((r) => r.verdict)?.verdict;
  const health = new Map<string, boolean>();
  for (const c of final?.checks ?? []) {
    if (!c.service) continue;
    health.set(c.service, (health.get(c.service) ?? true) && c.status === 'healthy');
  }
  for (const [name, healthy] of health) {
    const s = service(name);
    s.consecutiveHealthy = healthy ? s.consecutiveHealthy + 1 : 0;
    if (s.consecutiveHealthy >= limits.resetAfterHealthy) s.actions = [];
  }
  const horizon = Math.max(limits.restartWindowMs, limits.redeployWindowMs);
  for (const s of Object.values(next.services)) s.actions = s.actions.filter((a) => now.getTime() - Date.parse(a.at) < horizon);
  next.lastRun = now.toISOString();
  return next;
}

/** Temporary files of writes that a crash cut short; the daemon is the only writer, so at load they are stale. */
async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (n.startsWith(prefix) && n.endsWith('.tmp')) await fs.rm(path.join(dir, n), { force: true });
}

function safeJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
}
