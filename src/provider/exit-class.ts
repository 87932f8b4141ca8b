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
  interrupted: 'the run was stopped while it was going on (an operator from the console, or the daemon shutting down)',
  cli_error: 'the Claude Code CLI failed; see the run log for its error output',
  cli_missing: 'the Claude Code CLI was not found: install it or set CLAUDEOPS_CLAUDE_BIN',
  config: 'the run could not start: a file it needs is missing or invalid',
  sandbox: 'the OS sandbox could not start, and this run requires it (CLAUDEOPS_SANDBOX)',
};
