import { exitHelp } from '../exit-class.js';

/** What to tell an operator when a Claude Code run ends each way. */
export const CLAUDE_HELP = exitHelp({
  auth: 'the API refused the credentials: check ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN',
  network: 'the CLI could not reach the API: check the network, proxies and ANTHROPIC_BASE_URL',
  api_timeout: 'an API request timed out (API_TIMEOUT_MS)',
  cli_error: 'the Claude Code CLI failed; see the run log for its error output',
  cli_missing: 'the Claude Code CLI was not found: install it or set CLAUDEOPS_CLAUDE_BIN',
});
