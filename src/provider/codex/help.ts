import { exitHelp } from '../exit-class.js';

/** What to tell an operator when a Codex run ends each way. */
export const CODEX_HELP = exitHelp({
  auth: 'the API refused the credentials: check OPENAI_API_KEY',
  network: 'the CLI could not reach the API: check the network, proxies and OPENAI_BASE_URL',
  api_timeout: 'an API request timed out',
  cli_error: 'the OpenAI Codex CLI failed; see the run log for its error output',
  cli_missing: 'the OpenAI Codex CLI was not found: install it (@openai/codex) or set CLAUDEOPS_CODEX_BIN',
});
