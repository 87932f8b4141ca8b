import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { discoverChecks } from '../checks/discover.js';
import { ownerOf, ownership, parseInstance, splitRepos } from './instance.js';
import { loadConfig } from '../config/config.js';

const names = Array.from({ length: 1000 }, (_, i) => `repo-${i}-${(i * 7919).toString(36)}`);

test('CLAUDEOPS_INSTANCE: i/n, or a StatefulSet pod name whose ordinal + 1 is i', () => {
  assert.deepEqual(parseInstance('2/3'), { index: 2, count: 3, label: '2/3' });
  assert.deepEqual(parseInstance('claudeops-0/3'), { index: 1, count: 3, label: 'claudeops-0/3' });
  assert.deepEqual(parseInstance('my-ops-2/3'), { index: 3, count: 3, label: 'my-ops-2/3' });
  for (const bad of ['0/3', '4/3', 'claudeops-3/3', '1/0', '1', 'a/b', '', '1/3/4', '-1/3'])
    assert.equal(parseInstance(bad), undefined, bad);
});

test('a bad CLAUDEOPS_INSTANCE is a config problem that says what is expected', () => {
  const cwd = os.tmpdir();
  assert.throws(
    () => loadConfig({ ANTHROPIC_API_KEY: 'k', CLAUDEOPS_INSTANCE: '3/2' }, cwd),
    (e: Error) => /CLAUDEOPS_INSTANCE/.test(e.message) && /1 ≤ i ≤ n/.test(e.message),
  );
  assert.equal(loadConfig({ ANTHROPIC_API_KEY: 'k' }, cwd).config.instance.count, 1);
  assert.equal(loadConfig({ ANTHROPIC_API_KEY: 'k', CLAUDEOPS_INSTANCE: 'ops-1/2' }, cwd).config.instance.index, 2);
});

test('every repo has exactly one owner, and the owners share the repos about evenly', () => {
  for (const n of [2, 3, 5]) {
    const counts = new Array<number>(n + 1).fill(0);
    for (const r of names) {
      const owner = ownerOf(r, n);
      assert.ok(owner >= 1 && owner <= n);
      counts[owner]!++;
      const claimed = Array.from({ length: n }, (_, i) => splitRepos([r], { index: i + 1, count: n, label: '' }));
      assert.equal(claimed.filter((c) => c.owned.length === 1).length, 1, `${r} has one owner of ${n}`);
    }
    for (let i = 1; i <= n; i++) assert.ok(Math.abs(counts[i]! - 1000 / n) < 0.25 * (1000 / n), `${n}: ${counts}`);
  }
});

test('adding an instance moves at most 1/n + ε of 1,000 repos, and only to the new instance', () => {
  for (let n = 1; n <= 7; n++) {
    const moved = names.filter((r) => ownerOf(r, n) !== ownerOf(r, n + 1));
    for (const r of moved) assert.equal(ownerOf(r, n + 1), n + 1, `${r} moved between old instances`);
    const share = moved.length / names.length;
    assert.ok(share <= 1 / (n + 1) + 0.05, `${n}→${n + 1}: ${share}`);
    assert.ok(share > 0, `${n}→${n + 1}: the new instance gets some`);
  }
});

test("discovery takes only the instance's repos; built-in checks on every instance; validate's sentence names both", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-instance-'));
  try {
    const repos = path.join(dir, 'repos');
    const app = path.join(dir, 'app');
    await fs.mkdir(path.join(app, 'checks'), { recursive: true });
    await fs.writeFile(path.join(app, 'checks', 'disk.md'), '# Disk\n');
    const four = ['alpha', 'bravo', 'charlie', 'delta'];
    for (const r of four) {
      await fs.mkdir(path.join(repos, r, '.claude-ops', 'checks'), { recursive: true });
      await fs.writeFile(path.join(repos, r, '.claude-ops', 'checks', 'web.md'), `# ${r} web\n`);
    }
    const seen: string[][] = [];
    for (const index of [1, 2]) {
      const instance = { index, count: 2, label: `${index}/2` };
      const set = await discoverChecks({ appDir: app, reposDir: repos, disable: [], instance });
      const ids = set.checks.map((c) => c.id).sort();
      assert.ok(ids.includes('builtin/disk.md'));
      const mine = four.filter((r) => ownerOf(r, 2) === index);
      assert.deepEqual(
        ids.filter((i) => !i.startsWith('builtin/')),
        mine.map((r) => `${r}/web.md`).sort(),
      );
      assert.deepEqual(
        set.otherInstances,
        four.filter((r) => !mine.includes(r)),
      );
      assert.deepEqual(Object.keys(set.repoDirs).sort(), ['builtin', ...mine].sort());
      assert.match(ownership(instance, four), new RegExp(`^instance ${index}/2 owns ${mine.length} of 4 repo\\(s\\)`));
      seen.push(mine);
    }
    assert.deepEqual([...seen[0]!, ...seen[1]!].sort(), four);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
