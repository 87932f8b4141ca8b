import path from 'node:path';
import { SOLE_INSTANCE, splitRepos, type Instance } from '../files/instance.js';
import { listRepos } from '../files/repos.js';
import { emptyCheckSet, type CheckDef, type CheckSet } from './check-set.js';
import { readExtras } from './extras.js';
import { LIMITS, readMarkdown } from './markdown.js';

/** The repo name of the app's own checks in ids: `builtin/disk-space.md`. */
export const BUILTIN = 'builtin';

/**
 * Every check the cycle runs, found by the daemon: the app's `checks/*.md` (README
 * excluded) and each mounted repo's `.claude-ops/checks/**\/*.md`, with the repo's
 * playbooks, skills and CLAUDE-OPS.md manifest; of the repos, only those this instance owns.
 */
export async function discoverChecks(options: {
  appDir: string;
  reposDir: string;
  disable: string[];
  instance?: Instance;
}): Promise<CheckSet> {
  const set = emptyCheckSet();
  const { owned, others } = splitRepos(await listRepos(options.reposDir), options.instance ?? SOLE_INSTANCE);
  set.otherInstances = others;
  const roots: { repo: string; dir: string; checksDir: string; recursive: boolean }[] = [
    { repo: BUILTIN, dir: options.appDir, checksDir: path.join(options.appDir, 'checks'), recursive: false },
  ];
  for (const repo of owned) {
    const dir = path.join(options.reposDir, repo);
    roots.push({ repo, dir, checksDir: path.join(dir, '.claude-ops', 'checks'), recursive: true });
  }
  const all: CheckDef[] = [];
  for (const root of roots) {
    set.repoDirs[root.repo] = root.dir;
    const found = await readMarkdown(root.checksDir, root.recursive ? LIMITS : { ...LIMITS, maxDepth: 0 }, set);
    if (found.truncated && root.recursive)
      set.problems.push({
        file: root.checksDir,
        problem: `more than ${LIMITS.maxFiles} files or ${LIMITS.maxDepth} levels of folders; the rest were not read`,
      });
    for (const { rel, file, parsed } of found.files) {
      for (const p of parsed.fieldProblems) set.problems.push({ file, line: p.line, problem: p.problem });
      all.push({
        id: `${root.repo}/${rel}`,
        repo: root.repo,
        file,
        title: parsed.title ?? rel,
        services: parsed.services,
        severity: parsed.severity,
        failureThreshold: parsed.failureThreshold,
        successThreshold: parsed.successThreshold,
        parsed,
      });
    }
    if (root.repo !== BUILTIN) await readExtras(root.repo, root.dir, set);
  }
  const patterns = options.disable.map((d) => ({ d, re: globToRegExp(d) }));
  for (const c of all) (patterns.some((p) => p.re.test(c.id)) ? set.disabled : set.checks).push(c);
  set.unmatchedDisable = patterns.filter((p) => !all.some((c) => p.re.test(c.id))).map((p) => p.d);
  return set;
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}
