import type { ResultEvent } from './events.js';

/** Why a tier run ended. Everything but "ok" is a failed run. */
export type ExitClass =
  | 'ok'
  | 'auth'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'network'
  | 'api_timeout'
  | 'bad_request'
  | 'budget'
  | 'max_turns'
  | 'no_verdict'
  | 'timeout'
  | 'interrupted'
  | 'cli_error'
  | 'cli_missing'
  | 'config'
  | 'sandbox';

export const EXIT_CLASS_HELP: Record<ExitClass, string> = {
  ok: 'the run ended with a verdict',
  auth: 'the API refused the credentials: check ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN',
  rate_limit: 'the API rate limit was hit (429): lower the schedule frequency or raise the limit',
  overloaded: 'the API was overloaded (529); the next cycle will try again',
  server: 'the API answered with a server error (5xx); the next cycle will try again',
  network: 'the CLI could not reach the API: check the network, proxies and ANTHROPIC_BASE_URL',
  api_timeout: 'an API request timed out (API_TIMEOUT_MS)',
  bad_request: 'the API rejected the request (4xx): check the model names',
  budget: 'the run hit CLAUDEOPS_MAX_BUDGET_USD',
  max_turns: 'the run hit the CLI turn limit',
  no_verdict: 'the run ended without the structured verdict',
  timeout: 'the run took longer than CLAUDEOPS_TIMEOUT and was stopped',
  interrupted: 'the daemon was asked to stop while the run was going on',
  cli_error: 'the Claude Code CLI failed; see the run log for its error output',
  cli_missing: 'the Claude Code CLI was not found: install it or set CLAUDEOPS_CLAUDE_BIN',
  config: 'the run could not start: a file it needs is missing or invalid',
  sandbox: 'the OS sandbox could not start, and this run requires it (CLAUDEOPS_SANDBOX)',
};

/**
 * Classifies a finished run from its final result event, the last api_retry status
 * seen, and how the process ended. The CLI reports API failures as subtype
 * "success" with is_error true, so is_error and api_error_status decide, not subtype.
 */
export function classify(input: {
  result?: ResultEvent;
  lastRetryStatus?: number | null;
  stoppedBy?: 'timeout' | 'shutdown';
  exitCode: number | null;
  hasVerdict: boolean;
}): ExitClass {
  const { result } = input;
  if (input.stoppedBy === 'timeout') return 'timeout';
  if (input.stoppedBy === 'shutdown') return 'interrupted';
  if (!result) return 'cli_error';
  if (result.subtype === 'error_max_budget_usd') return 'budget';
  if (result.subtype === 'error_max_turns') return 'max_turns';
  if (result.is_error || result.subtype !== 'success') {
    const status = result.api_error_status ?? input.lastRetryStatus ?? undefined;
    const text = `${result.result ?? ''} ${(result.errors ?? []).join(' ')}`;
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
