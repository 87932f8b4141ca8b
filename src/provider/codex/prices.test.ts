import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costUsd, priceWarnings } from './prices.js';

describe('Codex prices', () => {
  it('prices tokens at list prices, cached input at its own rate, a dated model as its family', () => {
    assert.equal(
      costUsd('gpt-5-mini', { input: 1_000_000, cached: 400_000, output: 100_000 }),
      0.6 * 0.25 + 0.4 * 0.025 + 0.1 * 2,
    );
    assert.equal(costUsd('gpt-5-mini-2025-08-07', { input: 0, cached: 0, output: 1_000_000 }), 2);
  });

  it('knows no price for a model outside its table, even one named like an Object method, and says so', () => {
    for (const model of ['gpt-9-unknown', 'constructor', '__proto__']) {
      assert.equal(costUsd(model, { input: 1, cached: 0, output: 1 }), undefined);
      assert.deepEqual(priceWarnings(model), [
        `no price is known for model ${model} (src/provider/codex/prices.ts): its runs count $0 against CLAUDEOPS_DAILY_BUDGET_USD`,
      ]);
    }
    assert.deepEqual(priceWarnings('gpt-5-mini'), []);
  });
});
