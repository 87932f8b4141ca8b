import type { Config } from '../config/config.js';

/** `claudeops validate`: prints what the configuration resolved to; exit 0 (problems exit 2 before this). */
export async function validate(config: Config, warnings: string[]): Promise<number> {
  const rows: [string, string][] = [
    ['app directory', config.appDir],
    ['state directory', config.stateDir],
    ['results directory', config.resultsDir],
    ['repos directory', config.reposDir],
    ['schedule', config.schedule.kind === 'cron' ? `cron ${config.schedule.expression} (UTC)` : `every ${config.schedule.seconds} s`],
    ['timeout', `${config.timeoutMs / 1000} s`],
    ['dry run', String(config.dryRun)],
    ['max tier', String(config.maxTier)],
    ...([1, 2, 3] as const).map((t): [string, string] => [`tier ${t}`, `${config.tiers[t].model} · ${config.tiers[t].promptFile} · tools ${config.tiers[t].tools.join(',')}`]),
    ['claude', config.claudeBin],
    ['notifications', config.notify.urls.length ? `${config.notify.urls.length} Apprise URL(s)` : 'off'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('claudeops configuration');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  for (const w of warnings) console.log(`warning: ${w}`);
  return 0;
}
