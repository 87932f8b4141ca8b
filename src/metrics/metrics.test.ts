import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from './metrics.js';

test('with several instances every series carries the instance, and the owned repos are listed', async () => {
  const m = new Metrics({ index: 2, count: 3, label: 'claudeops-1/3' });
  m.observeRepos(['alpha', 'delta']);
  const text = await m.text();
  assert.match(text, /claudeops_repo_owned\{repo="alpha",claudeops_instance="2\/3"\} 1/);
  assert.match(text, /claudeops_cycles_total\{status="healthy",claudeops_instance="2\/3"\} 0/);
  m.observeRepos(['delta']);
  assert.doesNotMatch(await m.text(), /repo="alpha"/);
});

test('one instance adds no label', async () => {
  assert.doesNotMatch(await new Metrics({ index: 1, count: 1, label: '1/1' }).text(), /claudeops_instance/);
});
