import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCheckFile } from '../checks/check-file.js';
import { emptyCheckSet, type CheckSet } from '../checks/check-set.js';
import { lintChecks } from '../checks/lint.js';

const FILE = [
  '# Web', // 1
  '', // 2
  '- Service: web', // 3
  '- Failure threshold: 0', // 4
  '', // 5
  '## Probe', // 6
  '- http GET https://x.example/healthz expect status == 200', // 7
  '- http POST https://x.example/reset', // 8
  '- tcp db:5432 expect exit == 0', // 9
  '', // 10
  '## How', // 11
  'curl it', // 12
  '## Healthy when', // 13
  '200', // 14
].join('\n');

describe('a check file with a Probe section', () => {
  it('gives its probes and their problems beside the other facts', () => {
    const f = parseCheckFile(FILE);
    assert.deepEqual(f.services, ['web']);
    assert.deepEqual(
      f.sections.map((s) => s.heading),
      ['Probe', 'How', 'Healthy when'],
    );
    assert.deepEqual(
      f.probes.map((p) => [p.kind, p.line]),
      [['http', 7]],
    );
    assert.deepEqual(
      f.probeProblems.map((p) => p.line),
      [8, 9],
    );
    assert.deepEqual(
      f.fieldProblems.map((p) => p.line),
      [4],
      'field problems stay apart',
    );
    assert.deepEqual(parseCheckFile('# T\n## How\nx\n').probes, []);
  });

  it('has validate report each probe problem with its file and line', () => {
    const parsed = parseCheckFile(FILE);
    const set: CheckSet = {
      ...emptyCheckSet(),
      checks: [
        { id: 'builtin/web.md', repo: 'builtin', file: '/checks/web.md', title: 'Web', services: ['web'], parsed },
      ],
    };
    const found = lintChecks(set);
    assert.deepEqual(
      found.map((p) => [p.file, p.line]),
      [
        ['/checks/web.md', 8],
        ['/checks/web.md', 9],
      ],
    );
    assert.match(found[0]!.problem, /^probe: .*POST is not allowed: a probe only reads, so use GET or HEAD$/);
    assert.match(found[1]!.problem, /^probe: condition "exit == 0" does not apply to a tcp probe: it takes latency$/);
  });
});
