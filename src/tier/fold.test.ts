import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentEvent, FinalResult } from '../provider/provider.js';
import type { Verdict } from '../verdict/verdict.js';
import { fold, type RunFrame } from './fold.js';

const frame: RunFrame = {
  tier: 2,
  model: 'sonnet',
  startedAt: '2026-11-22T10:00:00.000Z',
  endedAt: '2026-11-22T10:00:12.500Z',
  logFile: 'run-x-tier2.log',
  eventsFile: 'run-x-tier2.jsonl',
  containment: {
    sandboxed: true,
    readOnly: false,
    propose: false,
    writable: ['/srv'],
    network: [],
    mcpAllowed: [],
    mcpDenied: [],
    egressRefused: 2,
    warnings: ['from the plan'],
  },
};
const verdict: Verdict = { status: 'healthy', summary: 'all good', escalate: false };
const final: FinalResult = {
  costUsd: 0.25,
  turns: 4,
  usage: { sonnet: { inputTokens: 10, costUSD: 0.25 } },
  denials: [{ tool: 'Bash', input: { command: 'rm -rf /' }, summary: 'rm -rf /' }, { tool: 'Write' }],
};
const call = (name: string): AgentEvent => ({ kind: 'tool_call', id: name, name, input: {} });

describe('folding a run', () => {
  it('counts tools, retries and MCP status, and takes cost, turns and denials from the final result', () => {
    const run = fold(
      [
        { kind: 'session', model: 'sonnet', tools: [], mcp: [{ name: 'db', status: 'connected' }] },
        call('Bash'),
        { kind: 'retry', status: 529 },
        call('Bash'),
        call('Read'),
        { kind: 'warning', text: 'from the provider' },
        { kind: 'record', data: Buffer.from('{}\n') },
        { kind: 'final', result: final },
        { kind: 'end', exitClass: 'ok', exitCode: 0, verdict },
      ],
      frame,
    );
    assert.deepEqual({ ...run.toolsUsed }, { Bash: 2, Read: 1 });
    assert.equal(run.apiRetries, 1);
    assert.deepEqual({ ...run.mcpStatus }, { db: 'connected' });
    assert.equal(run.costUsd, 0.25);
    assert.equal(run.turns, 4);
    assert.deepEqual(run.permissionDenials, ['Bash(rm -rf /)', 'Write']);
    assert.equal(run.exitClass, 'ok');
    assert.equal(run.verdict, verdict);
    assert.equal(run.summary, 'all good');
    assert.equal(run.error, undefined);
    assert.equal(run.durationMs, 12_500);
    assert.deepEqual(run.containment.warnings, ['from the plan', 'from the provider']);
    assert.equal(run.containment.egressRefused, 2);
    assert.equal(run.filesComplete, false);
  });

  it('a failed end gives its error as the summary and keeps no verdict', () => {
    const run = fold([{ kind: 'end', exitClass: 'timeout', exitCode: null, error: 'took too long', verdict }], frame);
    assert.equal(run.exitClass, 'timeout');
    assert.equal(run.verdict, undefined);
    assert.equal(run.summary, 'took too long');
    assert.equal(run.costUsd, 0);
    assert.deepEqual(run.modelUsage, {});
  });

  it('events that never end make a CLI error', () => {
    const run = fold([call('Bash')], frame);
    assert.equal(run.exitClass, 'cli_error');
    assert.equal(run.exitCode, null);
    assert.ok(run.error);
  });

  it('words a denial as its provider summarized it, and names only the tool without a summary, whatever its input', () => {
    const denied = (denials: FinalResult['denials']) =>
      fold([{ kind: 'final', result: { usage: {}, denials } }], frame).permissionDenials;
    assert.deepEqual(
      denied([
        { tool: 'Run', input: { command: 'rm -rf /' } },
        { tool: 'Shell', summary: 'reboot' },
        { tool: 'Bash', input: { command: '' }, summary: '' },
      ]),
      ['Run', 'Shell(reboot)', 'Bash()'],
    );
  });
});
