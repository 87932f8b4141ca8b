import fs from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../state/atomic-file.js';

const spendSchema = z.object({ day: z.string(), usd: z.number().min(0) });
export type Spend = z.infer<typeof spendSchema>;

export const utcDay = (d = new Date()) => d.toISOString().slice(0, 10);

/** Today's recorded spend, from `<state>/spend.json`; a new UTC day starts at zero. */
export async function loadSpend(file: string, now = new Date()): Promise<Spend> {
  try {
    const s = spendSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
    return s.day === utcDay(now) ? s : { day: utcDay(now), usd: 0 };
  } catch {
    return { day: utcDay(now), usd: 0 };
  }
}

export async function addSpend(file: string, usd: number, now = new Date()): Promise<Spend> {
  const s = await loadSpend(file, now);
  const next = { day: s.day, usd: s.usd + usd };
  await writeFileAtomic(file, JSON.stringify(next) + '\n', 0o644, false);
  return next;
}

/** Why a cycle must be skipped for the daily budget, or undefined when it may run. */
export function overDailyBudget(spend: Spend, dailyUsd: number | undefined): string | undefined {
  if (dailyUsd === undefined || spend.usd < dailyUsd) return undefined;
  return `the daily budget of $${dailyUsd} is reached ($${spend.usd.toFixed(4)} spent on ${spend.day} UTC); cycles resume at 00:00 UTC (CLAUDEOPS_DAILY_BUDGET_USD)`;
}
