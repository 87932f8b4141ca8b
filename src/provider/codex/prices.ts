/** List prices, USD per million tokens: input, cached input, output. The Codex CLI reports tokens, not dollars. */
const PRICES = new Map<string, { input: number; cached: number; output: number }>(
  Object.entries({
    'gpt-5': { input: 1.25, cached: 0.125, output: 10 },
    'gpt-5-codex': { input: 1.25, cached: 0.125, output: 10 },
    'gpt-5-mini': { input: 0.25, cached: 0.025, output: 2 },
    'gpt-5-nano': { input: 0.05, cached: 0.005, output: 0.4 },
    'gpt-4.1': { input: 2, cached: 0.5, output: 8 },
    'gpt-4.1-mini': { input: 0.4, cached: 0.1, output: 1.6 },
    'o4-mini': { input: 1.1, cached: 0.275, output: 4.4 },
  }),
);

/** A model's prices; a dated snapshot (gpt-5-mini-2025-08-07) has its family's. */
const priceOf = (model: string) => PRICES.get(model) ?? PRICES.get(model.replace(/-\d{4}-\d{2}-\d{2}$/, ''));

/** What an operator should know before a tier runs this model: a model without a price is counted as free. */
export const priceWarnings = (model: string): string[] =>
  priceOf(model) === undefined
    ? [
        `no price is known for model ${model} (src/provider/codex/prices.ts): its runs count $0 against CLAUDEOPS_DAILY_BUDGET_USD`,
      ]
    : [];

/** The cost of a run's tokens (input includes cached input, as OpenAI reports it); undefined for a model not in the table. */
export function costUsd(model: string, u: { input: number; cached: number; output: number }): number | undefined {
  const p = priceOf(model);
  if (!p) return undefined;
  return ((u.input - u.cached) * p.input + u.cached * p.cached + u.output * p.output) / 1e6;
}
