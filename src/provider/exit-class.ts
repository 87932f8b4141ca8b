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

/** The ways a run ends that mean one thing whatever the provider. */
type CommonClass = Exclude<ExitClass, ProviderClass>;
/** The ways a run ends whose help names the provider's CLI or its configuration. */
type ProviderClass = 'auth' | 'network' | 'api_timeout' | 'cli_error' | 'cli_missing';

/** What to tell an operator about each way a run ends: each provider adds its own (see `exitHelp`). */
const COMMON_HELP: Record<CommonClass, string> = {
  ok: 'the run ended with a verdict',
  rate_limit: 'the API rate limit was hit (429): lower the schedule frequency or raise the limit',
  overloaded: 'the API was overloaded (529); the next cycle will try again',
  server: 'the API answered with a server error (5xx); the next cycle will try again',
  bad_request: 'the API rejected the request (4xx): check the model names',
  budget: 'the run hit CLAUDEOPS_MAX_BUDGET_USD',
  max_turns: 'the run hit the CLI turn limit',
  no_verdict: 'the run ended without the structured verdict',
  timeout: 'the run took longer than CLAUDEOPS_TIMEOUT and was stopped',
  interrupted: 'the run was stopped while it was going on (an operator from the console, or the daemon shutting down)',
  config: 'the run could not start: a file it needs is missing or invalid',
  sandbox: 'the OS sandbox could not start, and this run requires it (CLAUDEOPS_SANDBOX)',
};

/** Every exit class's help, from a provider's own texts for the classes that name its CLI. */
export const exitHelp = (own: Record<ProviderClass, string>): Record<ExitClass, string> => ({ ...COMMON_HELP, ...own });
