import { runCli, type Cli } from '../cli-run.js';
import type { AgentProvider } from '../provider.js';
import { cliVersion } from '../version.js';
import { claudeApi } from './api.js';
import { CLAUDE_API_ENV } from './options.js';
import { classify } from './classify.js';
import { buildClaudeCommand } from './command.js';
import { CLAUDE_HELP } from './help.js';
import { installSkills } from './skills.js';
import { ClaudeParser } from './stream.js';

const cli: Cli = {
  cli: 'the Claude Code CLI',
  binVariable: 'CLAUDEOPS_CLAUDE_BIN',
  // Its own Bash sandbox is off: the daemon's cage holds the whole CLI.
  ownSandbox: false,
  help: CLAUDE_HELP,
  command: buildClaudeCommand,
  parser: () => new ClaudeParser(),
  classify,
};

/** The Claude Code CLI (`claude --print`, stream-json). */
export const claudeProvider: AgentProvider = {
  name: 'claude',
  cli: cli.cli,
  binVariable: cli.binVariable,
  apiEnv: CLAUDE_API_ENV,
  api: claudeApi,
  bin: (config) => config.claudeBin,
  version: cliVersion,
  run: (run, signal) => runCli(cli, run, signal),
  modelWarnings: () => [],
  installSkills,
  runbookFile: 'CLAUDE.md',
};
