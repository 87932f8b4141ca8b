import type { Spend } from '../store/records.js';

// `<state>/spend.json` is loaded and added to by the store; here, what it means.

/** Why a cycle must be skipped for the daily budget, or undefined when it may run. */
export function overDailyBudget(spend: Spend, dailyUsd: number | undefined): string | undefined {
  if (dailyUsd === undefined || spend.usd < dailyUsd) return undefined;
  return `the daily budget of $${dailyUsd} is reached ($${spend.usd.toFixed(4)} spent on ${spend.day} UTC); cycles resume at 00:00 UTC (CLAUDEOPS_DAILY_BUDGET_USD)`;
}
