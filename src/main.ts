#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=65536 node --max-semi-space-size=1 --max-old-space-size=96
import { ConfigError, loadConfig } from './config/config.js';
import { runDaemon, runOnce } from './daemon/daemon.js';

const USAGE = `usage: claudeops <command>

  run               the daemon: a cycle now, then on the schedule (CLAUDEOPS_INTERVAL or CLAUDEOPS_SCHEDULE)
  once              one cycle, then exit: 0 healthy, 1 unhealthy, 2 configuration invalid, 3 the run failed
  validate          check the configuration, files and CLI; print what was found; exit 0 or 2
  status [N]        the last N cycles (default 10) from the results directory
  verify-receipts   check the hash chain of receipts.ndjson; exit 0, or 1 naming the first broken line
  trigger           ask the running daemon to run a cycle now (needs CLAUDEOPS_CONSOLE_TOKEN); exit 0, or 1 saying why not

Configuration comes from the environment and .env in the current directory; see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!['run', 'once', 'validate', 'status', 'verify-receipts', 'trigger'].includes(command)) {
    console.error(`claudeops: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  // A bad argument is told before the configuration is read.
  const count = command === 'status' ? (await import('./status/status.js')).cycleCount(argv[1]) : { count: 0 };
  if ('error' in count) {
    console.error(count.error);
    return 2;
  }
  let loaded;
  try {
    // Reading records needs no API key.
    loaded = loadConfig(process.env, process.cwd(), {
      requireAuth: !['status', 'verify-receipts', 'trigger'].includes(command),
    });
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
    case 'validate': {
      const { validate } = await import('./validate/validate.js');
      return validate(config, warnings);
    }
    case 'status': {
      const { status } = await import('./status/status.js');
      return status(config, count.count);
    }
    case 'trigger': {
      const { trigger } = await import('./console/trigger.js');
      return trigger(config);
    }
    default: {
      const { verifyReceipts } = await import('./status/status.js');
      return verifyReceipts(config);
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
