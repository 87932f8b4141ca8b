import { runCli, type Cli } from '../cli-run.js';
import type { AgentProvider } from '../provider.js';
import { cliVersion } from '../version.js';
import { codexApi } from './api.js';
import { classify } from './classify.js';
import { buildCodexCommand } from './command.js';
import { CODEX_HELP } from './help.js';
import { priceWarnings } from './prices.js';
import { CodexParser } from './stream.js';

const cli: Cli = {
  cli: 'the OpenAI Codex CLI (@openai/codex)',
  binVariable: 'CLAUDEOPS_CODEX_BIN',
  ownSandbox: true,
  help: CODEX_HELP,
  command: buildCodexCommand,
  parser: (model) => new CodexParser(model),
  classify,
};

/** The OpenAI Codex CLI (`codex exec --json`), with its own sandbox. */
export const codexProvider: AgentProvider = {
  name: 'codex',
  cli: cli.cli,
  binVariable: cli.binVariable,
  apiEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
  api: codexApi,
  bin: (config) => config.codexBin,
  version: cliVersion,
  run: (run, signal) => runCli(cli, run, signal),
  modelWarnings: priceWarnings,
  // Codex reads AGENTS.md in its working directory (there is no project root above it).
  runbookFile: 'AGENTS.md',
};
