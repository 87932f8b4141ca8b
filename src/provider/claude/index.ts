import { CLAUDE_API_ENV } from '../../context/env-context.js';
import type { AgentProvider } from '../provider.js';
import { cliVersion } from '../version.js';
import { claudeApi } from './api.js';
import { classify } from './classify.js';
import { buildClaudeCommand } from './command.js';
import { ClaudeParser } from './stream.js';

/** The Claude Code CLI (`claude --print`, stream-json). */
export const claudeProvider: AgentProvider = {
  name: 'claude',
  cli: 'the Claude Code CLI',
  binVariable: 'CLAUDEOPS_CLAUDE_BIN',
  apiEnv: CLAUDE_API_ENV,
  ownSandbox: false,
  api: claudeApi,
  bin: (config) => config.claudeBin,
  version: cliVersion,
  command: buildClaudeCommand,
  parser: () => new ClaudeParser(),
  classify,
  modelWarnings: () => [],
};
