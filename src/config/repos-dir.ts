import fs from 'node:fs/promises';
import type { Config } from './config.js';
import { variables } from './schema.js';

/** What is at the repos directory's path: a directory, something else, or an error code. */
export type Found = 'directory' | 'not a directory' | { code: string };

export async function lookAt(dir: string): Promise<Found> {
  try {
    return (await fs.stat(dir)).isDirectory() ? 'directory' : 'not a directory';
  } catch (e) {
    return { code: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

/**
 * What the repos directory's state means. A directory the operator named that is not
 * there is a problem (a typo or a missing mount would otherwise pass as "no repos"); the
 * default one missing only means no repo is mounted, which is a note.
 */
export function reposDirFinding(
  config: Pick<Config, 'env' | 'reposDir'>,
  found: Found,
): { problem?: string; note?: string } {
  if (found === 'directory') return {};
  const dir = config.reposDir;
  const named = config.env.CLAUDEOPS_REPOS_DIR !== variables.CLAUDEOPS_REPOS_DIR.default;
  const setting = `CLAUDEOPS_REPOS_DIR=${JSON.stringify(config.env.CLAUDEOPS_REPOS_DIR)}`;
  if (found === 'not a directory')
    return {
      problem: `${setting}: ${dir} is not a directory; point CLAUDEOPS_REPOS_DIR at the directory that holds your repos`,
    };
  if (found.code !== 'ENOENT')
    return {
      problem: `${setting}: the repos directory ${dir} cannot be read (${found.code}); make it readable for the daemon's user`,
    };
  if (named)
    return {
      problem: `${setting}: the repos directory ${dir} does not exist, so no repo's checks would run; fix the path (or the mount), or create it and clone your repos into it`,
    };
  return {
    note: `the repos directory ${dir} (the default; CLAUDEOPS_REPOS_DIR is unset) does not exist, so only the app's own checks run; create it and clone repos with a .claude-ops/ folder into it, or set CLAUDEOPS_REPOS_DIR`,
  };
}
