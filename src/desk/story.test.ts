import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type Config } from '../config/config.js';
import { LiveHub } from '../console/live.js';
import { storyWriter } from '../logger/logger.js';
import { Redactor } from '../logger/redactor.js';
import { executeProposal } from './execute.js';
import { contentHash } from '../approval/state.js';
import { FileStore } from '../store/file-store.js';
import type { Proposal } from '../store/records.js';

const AT = '2026-11-22T10:02:03.000Z';
const KINDS = ['proposal', 'sandbox', 'run', 'output', 'stderr', 'egress', 'exit', 'stop', 'cleanup'];

describe("an approved proposal's run log", () => {
  let root: string;
  let config: Config;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-approval-story-'));
    ({ config } = loadConfig(
      {
        ANTHROPIC_API_KEY: 'k-test',
        CLAUDEOPS_STATE_DIR: path.join(root, 'state'),
        CLAUDEOPS_RESULTS_DIR: path.join(root, 'results'),
        CLAUDEOPS_REPOS_DIR: path.join(root, 'repos'),
        CLAUDEOPS_SANDBOX: 'off',
        CLAUDEOPS_TIMEOUT: '30',
      },
      root,
    ));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is one header record, then records of the output by kind, then the end; none with an empty message', async () => {
    const content = {
      cycle: 'run-1',
      tier: 3,
      service: 'web',
      action: 'restart' as const,
      commands: ['printf "restarting\\n\\n   \\nweb is up\\n"; echo warn >&2', 'echo second\nexit 3'],
      why: 'w',
      expected: 'e',
      rollback: 'r',
    };
    const p: Proposal = {
      id: 'p-story',
      ...content,
      hash: contentHash(content),
      createdAt: '2026-11-22T10:00:00.000Z',
      expiresAt: '2026-11-22T11:00:00.000Z',
      state: 'approved',
      decidedAt: '2026-11-22T10:01:00.000Z',
      decidedBy: 'console session',
    };
    const printed: string[] = [];
    // The daemon's stdout off a terminal: every story line a JSON record.
    const stdout = storyWriter(false, new LiveHub(), (text) => printed.push(text));
    const told: string[] = [];
    const ex = await executeProposal(p, {
      config,
      redactor: new Redactor([]),
      shutdown: new AbortController().signal,
      stdout: (t) => (told.push(t), stdout(t)),
      runId: `approval-test-${process.pid}`,
      store: new FileStore(config.resultsDir, config.stateDir),
      now: () => new Date(AT),
    });

    assert.deepEqual([ex.ok, ex.exitCodes], [false, [0, 3]]);
    const records = printed
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; msg: string });
    assert.deepEqual(
      records.filter((r) => r.kind === 'header').map((r) => r.msg),
      [records[0]!.msg],
      'one header record, the first',
    );
    assert.equal(records[0]!.msg, `=== claudeops approved proposal p-story · restart of web · ${AT} ===`);
    assert.deepEqual([ex.startedAt, ex.endedAt], [AT, AT], 'the times are the clock it is given');
    assert.equal(records.at(-1)!.kind, 'end');
    assert.match(records.at(-1)!.msg, /^--- end · FAILED: .*exited 3 · 2\/2 command\(s\) run/);
    for (const r of records.slice(1, -1)) assert.ok(KINDS.includes(r.kind), `a record of kind ${r.kind}: ${r.msg}`);
    for (const r of records) assert.match(r.msg, /\S/, 'no record without a message');
    for (const r of records.filter((x) => x.kind !== 'header' && x.kind !== 'end'))
      assert.match(r.msg, /^10:02:03 \S+ +\S/, `a line timed by the clock, with text: ${JSON.stringify(r.msg)}`);
    assert.deepEqual(
      records.filter((r) => r.kind === 'output').map((r) => r.msg.slice(18)),
      ['restarting', 'web is up', 'second'],
    );
    assert.deepEqual(
      records.filter((r) => r.kind === 'stderr').map((r) => r.msg.slice(18)),
      ['warn'],
    );
    assert.deepEqual(
      records.filter((r) => r.kind === 'run').map((r) => r.msg.slice(18)),
      [content.commands[0], 'echo second⏎exit 3'],
      'a command on one line, its newline shown',
    );
    assert.deepEqual(
      records.filter((r) => r.kind === 'exit').map((r) => r.msg.slice(18)),
      ['0', '3'],
    );
    // The file tells the same story the daemon printed.
    assert.equal(fs.readFileSync(path.join(config.resultsDir, ex.log), 'utf8'), told.join(''));
  });
});
