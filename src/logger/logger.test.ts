import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveHub } from '../console/live.js';
import { storyWriter } from './logger.js';

describe('story lines as JSON records', () => {
  it('reads the tier and shard of a sharded tier-1 line, so its kind is its own and not a header', () => {
    const printed: string[] = [];
    storyWriter(false, new LiveHub(), (t) => printed.push(t))(
      '[tier1.2] 12:00:01 tool     Bash(df -h)\n[tier2] --- end\n',
    );
    const records = printed
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((r) => [r.tier, r.shard, r.kind, r.msg]),
      [
        [1, 2, 'tool', '12:00:01 tool     Bash(df -h)'],
        [2, undefined, 'end', '--- end'],
      ],
    );
  });
});
