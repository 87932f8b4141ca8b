import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from './classify.js';
import { finalOf, type ResultEvent } from './stream.js';

const result = (r: Partial<ResultEvent>): ResultEvent => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  ...r,
});

describe('classifying a run', () => {
  it('is ok only with a verdict and no error', () => {
    assert.equal(classify({ final: finalOf(result({})), exitCode: 0, hasVerdict: true }), 'ok');
    assert.equal(classify({ final: finalOf(result({})), exitCode: 0, hasVerdict: false }), 'no_verdict');
  });

  it('trusts is_error over a "success" subtype', () => {
    const apiFailure = result({ subtype: 'success', is_error: true, api_error_status: 500, result: 'API Error: 500' });
    assert.equal(classify({ final: finalOf(apiFailure), exitCode: 1, hasVerdict: false }), 'server');
  });

  for (const [status, cls] of [
    [401, 'auth'],
    [403, 'auth'],
    [429, 'rate_limit'],
    [529, 'overloaded'],
    [503, 'server'],
    [400, 'bad_request'],
  ] as const) {
    it(`maps API status ${status} to ${cls}`, () => {
      assert.equal(
        classify({
          final: finalOf(result({ is_error: true, api_error_status: status })),
          exitCode: 1,
          hasVerdict: false,
        }),
        cls,
      );
    });
  }

  it('reads the message when there is no status', () => {
    const r = (text: string) =>
      classify({
        final: finalOf(result({ is_error: true, api_error_status: null, result: text })),
        exitCode: 1,
        hasVerdict: false,
      });
    assert.equal(r('API Error: Unable to connect to API (ConnectionRefused)'), 'network');
    assert.equal(r('Invalid API key · Fix external API key'), 'auth');
    assert.equal(r('Request timed out'), 'api_timeout');
    assert.equal(r('API returned an empty or malformed response'), 'server');
  });

  it('falls back to the last retry status', () => {
    assert.equal(
      classify({
        final: finalOf(result({ is_error: true, api_error_status: null, result: 'gave up' })),
        lastRetryStatus: 529,
        exitCode: 1,
        hasVerdict: false,
      }),
      'overloaded',
    );
  });

  it('knows the CLI’s own error subtypes', () => {
    assert.equal(
      classify({
        final: finalOf(result({ subtype: 'error_max_turns', is_error: true })),
        exitCode: 1,
        hasVerdict: false,
      }),
      'max_turns',
    );
    assert.equal(
      classify({
        final: finalOf(result({ subtype: 'error_max_budget_usd', is_error: true })),
        exitCode: 1,
        hasVerdict: false,
      }),
      'budget',
    );
  });

  it('names a stop by the daemon, and a CLI that died without a result', () => {
    assert.equal(
      classify({
        final: finalOf(result({ subtype: 'error_during_execution' })),
        stoppedBy: 'timeout',
        exitCode: 0,
        hasVerdict: false,
      }),
      'timeout',
    );
    assert.equal(classify({ stoppedBy: 'shutdown', exitCode: null, hasVerdict: false }), 'interrupted');
    assert.equal(classify({ exitCode: 1, hasVerdict: false }), 'cli_error');
  });

  it("keeps the CLI's own diagnostics out of what an operator reads", () => {
    const f = finalOf(
      result({
        subtype: 'error_during_execution',
        is_error: true,
        errors: [
          '[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=tool_use',
          'Request was aborted.',
        ],
      }),
    );
    assert.equal(f.text, 'Request was aborted.');
    assert.equal(f.failure?.text, 'Request was aborted.');
    assert.equal(
      finalOf(result({ subtype: 'error_during_execution', errors: ['[ede_diagnostic] x'] })).text,
      undefined,
    );
  });
});
