// Two instances over the same four repos (CLAUDEOPS_INSTANCE=1/2 and 2/2), each a real
// daemon cycle against the fake API: each hands the model only its own repos' checks, its
// runs cannot read the other instance's repos, and validate and status say who owns what.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, lastToolResult, toolUse, userText, verdict } from '../fake-api.js';
import { ownerOf } from '../../src/files/instance.js';
import { read, run, sandbox } from '../harness.js';

const REPOS = ['alpha', 'bravo', 'charlie', 'delta'];

describe('instances that split the fleet', () => {
  for (const index of [1, 2]) {
    it(`instance ${index}/2 judges only its repos' checks, and its runs cannot read the others'`, async () => {
      const mine = REPOS.filter((r) => ownerOf(r, 2) === index);
      const theirs = REPOS.filter((r) => ownerOf(r, 2) !== index);
      assert.ok(mine.length && theirs.length, 'the four names split between the two instances');
      const api = new FakeApi(byModel({}));
      const sb = sandbox(await api.start(), { CLAUDEOPS_INSTANCE: `${index}/2` });
      const check = (repo: string) => path.join(sb.reposDir, repo, '.claude-ops', 'checks', 'web.md');
      try {
        for (const r of REPOS) sb.addRepo(r, { '.claude-ops/checks/web.md': `# ${r} web\n\nSECRET-OF-${r}\n` });
        api.script = byModel({
          haiku: [
            toolUse('Bash', {
              command: `cat ${check(mine[0]!)} ${check(theirs[0]!)} 2>&1; true`,
              description: 'read two checks',
            }),
            verdict({
              status: 'healthy',
              summary: 'ok',
              escalate: false,
              checks: mine.map((r) => ({ id: `${r}/web.md`, status: 'healthy' })),
            }),
          ],
        });
        const result = await run(['once'], sb, 120_000);
        assert.equal(result.code, 0, result.stdout.slice(-2000));
        const prompt = userText(api.messages[0]!);
        for (const r of mine) assert.match(prompt, new RegExp(`${r}/web\\.md`));
        for (const r of theirs) assert.doesNotMatch(prompt, new RegExp(`${r}/web\\.md`));
        const shown = lastToolResult(api.messages[1]!) ?? '';
        assert.match(shown, new RegExp(`SECRET-OF-${mine[0]}`), shown);
        assert.doesNotMatch(shown, new RegExp(`SECRET-OF-${theirs[0]}`), shown);
        const checks = JSON.parse(read(path.join(sb.stateDir, 'checks.json'))) as { checks: Record<string, unknown> };
        assert.deepEqual(Object.keys(checks.checks).sort(), mine.map((r) => `${r}/web.md`).sort());

        const owns = new RegExp(
          `instance ${index}/2 owns ${mine.length} of 4 repo\\(s\\): ${mine.join(', ')}; the other instances own ${theirs.join(', ')}`,
        );
        assert.match((await run(['status'], sb, 30_000)).stdout, owns);
        assert.match((await run(['validate'], sb, 60_000)).stdout, owns);
      } finally {
        await api.stop();
        sb.cleanup();
      }
    });
  }
});
