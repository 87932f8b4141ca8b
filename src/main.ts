#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/config.js';
import { runDaemon, runOnce } from './daemon/daemon.js';

const USAGE = `usage: claudeops <command>

  run               the daemon: a cycle now, then on the schedule (CLAUDEOPS_INTERVAL or CLAUDEOPS_SCHEDULE)
  once              one cycle, then exit: 0 healthy, 1 unhealthy, 2 configuration invalid, 3 the run failed
  validate          check the configuration, files and CLI; print what was found; exit 0 or 2

Configuration comes from the environment and .env in the current directory; see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!['run', 'once', 'validate'].includes(command)) {
    console.error(`claudeops: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let loaded;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const { config, warnings } = loaded;
  switch (command) {
    case 'run':
      return runDaemon(config, warnings);
    case 'once':
      return runOnce(config, warnings);
    default: {
      const { validate } = await import('./validate/validate.js');
      return validate(config, warnings);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`claudeops: unexpected error: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
