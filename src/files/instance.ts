// Instances that split the fleet (CLAUDEOPS_INSTANCE=<i>/<n>): each repo belongs to exactly
// one of n instances, by rendezvous hashing of its name. A repo's owner depends only on its
// name and n, so every instance agrees without talking to the others, and going from n to
// n+1 instances moves only the repos the new instance wins: about 1/(n+1) of them.
import { createHash } from 'node:crypto';

export interface Instance {
  /** 1-based: this instance is `index` of `count`. */
  index: number;
  count: number;
  /** As the operator wrote it, e.g. `2/3` or `claudeops-1/3`. */
  label: string;
}

export const SOLE_INSTANCE: Instance = { index: 1, count: 1, label: '1/1' };

const FORM = /^(?:(\d+)|(.+?)-(\d+))\/(\d+)$/;

/**
 * `<i>/<n>` with 1 ≤ i ≤ n, or `<pod-name>/<n>` for a StatefulSet's pod (`claudeops-0/3`),
 * whose ordinal (0-based) + 1 is i. Undefined when the text is neither.
 */
export function parseInstance(text: string): Instance | undefined {
  const m = FORM.exec(text.trim());
  if (!m) return undefined;
  const count = Number(m[4]);
  const index = m[1] !== undefined ? Number(m[1]) : Number(m[3]) + 1;
  if (!Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) return undefined;
  return { index, count, label: text.trim() };
}

/** The instance (1..count) that owns a repo. */
export function ownerOf(repo: string, count: number): number {
  let best = 1;
  let bestScore = -1n;
  for (let i = 1; i <= count; i++) {
    const score = createHash('sha256').update(`${i}\n${repo}`).digest().readBigUInt64BE(0);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return best;
}

export const owns = (instance: Instance, repo: string): boolean =>
  instance.count === 1 || ownerOf(repo, instance.count) === instance.index;

/** How an instance names itself in logs, `validate`, `status` and the console. */
export const describeInstance = (instance: Instance): string =>
  instance.label === `${instance.index}/${instance.count}`
    ? `instance ${instance.label}`
    : `instance ${instance.index}/${instance.count} (${instance.label})`;

/** Repo names split into this instance's and the others'. */
export function splitRepos(repos: string[], instance: Instance): { owned: string[]; others: string[] } {
  const owned: string[] = [];
  const others: string[] = [];
  for (const r of repos) (owns(instance, r) ? owned : others).push(r);
  return { owned, others };
}

/** Which of the mounted repos this instance owns, in a sentence. */
export function ownership(instance: Instance, repos: string[]): string {
  const { owned, others } = splitRepos(repos, instance);
  return `${describeInstance(instance)} owns ${owned.length} of ${repos.length} repo(s): ${owned.join(', ') || 'none'}${others.length ? `; the other instances own ${others.join(', ')}` : ''}`;
}
