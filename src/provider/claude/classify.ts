import type { ExitClass } from '../exit-class.js';
import type { RunEnd } from '../cli-end.js';

/**
 * Classifies a finished run from its final result, the last api_retry status seen,
 * and how the process ended. The CLI reports API failures as subtype "success" with
 * is_error true, so the stream parser records a failure from is_error and
 * api_error_status, not from the subtype alone.
 */
export function classify(input: RunEnd): ExitClass {
  const failure = input.final?.failure;
  if (input.stoppedBy === 'timeout') return 'timeout';
  if (input.stoppedBy === 'shutdown') return 'interrupted';
  if (!input.final) return 'cli_error';
  if (failure?.kind === 'error_max_budget_usd') return 'budget';
  if (failure?.kind === 'error_max_turns') return 'max_turns';
  if (failure) {
    const status = failure.status ?? input.lastRetryStatus ?? undefined;
    const text = failure.text;
    if (status !== undefined && status !== null) return byStatus(status);
    if (/api key|authenticat|oauth|401|403/i.test(text)) return 'auth';
    if (/timed out|timeout/i.test(text)) return 'api_timeout';
    if (/connect|ECONN|ENOTFOUND|EAI_AGAIN|socket|fetch failed|network/i.test(text)) return 'network';
    if (/overloaded|529/.test(text)) return 'overloaded';
    if (/rate.?limit|429/i.test(text)) return 'rate_limit';
    if (/API Error: 5\d\d|malformed response/.test(text)) return 'server';
    return 'cli_error';
  }
  return input.hasVerdict ? 'ok' : 'no_verdict';
}

function byStatus(status: number): ExitClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 529) return 'overloaded';
  if (status === 408) return 'api_timeout';
  if (status >= 500) return 'server';
  return 'bad_request';
}
