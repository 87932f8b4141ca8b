import type { AgentProvider } from '../provider.js';
import { cliVersion } from '../version.js';
import { codexApi } from './api.js';
import { classify } from './classify.js';
import { buildCodexCommand } from './command.js';
import { priceWarnings } from './prices.js';
import { CodexParser } from './stream.js';

/** The OpenAI Codex CLI (`codex exec --json`), with its own sandbox. */
export const codexProvider: AgentProvider = {
  name: 'codex',
  cli: 'the OpenAI Codex CLI (@openai/codex)',
  binVariable: 'CLAUDEOPS_CODEX_BIN',
  apiEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
  ownSandbox: true,
  api: codexApi,
  bin: (config) => config.codexBin,
  version: cliVersion,
  command: buildCodexCommand,
  parser: (model) => new CodexParser(model),
  classify,
  modelWarnings: priceWarnings,
};
