import type { ExitClass } from '../exit-class.js';
import type { RunEnd } from '../cli-end.js';

/** Why a Codex run ended, from its turn.failed or error message (it carries no status field). */
export function classify(input: RunEnd): ExitClass {
  if (input.stoppedBy === 'timeout') return 'timeout';
  if (input.stoppedBy === 'shutdown') return 'interrupted';
  if (!input.final) return 'cli_error';
  const failure = input.final.failure;
  if (!failure) return input.hasVerdict ? 'ok' : 'no_verdict';
  const t = failure.text;
  if (/\b401\b|\b403\b|unauthori[sz]ed|invalid api key|incorrect api key|authenticat/i.test(t)) return 'auth';
  if (/\b429\b|rate.?limit|quota/i.test(t)) return 'rate_limit';
  if (/high demand|overloaded|\b503\b/i.test(t)) return 'overloaded';
  if (/timed? ?out/i.test(t)) return 'api_timeout';
  if (/error sending request|connect|dns|network|stream disconnected/i.test(t)) return 'network';
  if (/\b5\d\d\b|server error|internal error/i.test(t)) return 'server';
  if (/\b4\d\d\b|invalid_request|bad request|model .* (not found|does not exist)/i.test(t)) return 'bad_request';
  return 'cli_error';
}
