import { isHealthySection, isHowSection, serviceKey } from './check-file.js';
import type { CheckDef, CheckSet, FileProblem } from './check-set.js';

/**
 * What `claudeops validate` says about the check files: each problem with its file
 * and line. A check with no title, no "how" or no "healthy when" section leaves the
 * agent to guess; duplicate ids and two spellings of one service split their history.
 * A `## Probe` section's problems are reported with their lines.
 */
export function lintChecks(set: CheckSet): FileProblem[] {
  const all = [...set.checks, ...set.disabled];
  const problems: FileProblem[] = [...set.problems];
  for (const c of all) {
    if (c.parsed.title === undefined)
      problems.push({ file: c.file, line: 1, problem: 'no title: start the file with "# <name of the check>"' });
    if (!c.parsed.sections.some((s) => isHowSection(s.heading)))
      problems.push({
        file: c.file,
        problem: 'no "How" section: add "## How" (or "## How to Check") with the commands to run',
      });
    if (!c.parsed.sections.some((s) => isHealthySection(s.heading)))
      problems.push({
        file: c.file,
        problem: 'no "Healthy when" section: add "## Healthy when" (or "## What\'s Healthy") with the thresholds',
      });
    for (const p of c.parsed.probeProblems) problems.push({ file: c.file, line: p.line, problem: p.problem });
  }
  const byId = groupBy(all, (c) => c.id);
  for (const [id, same] of byId)
    if (same.length > 1)
      problems.push({
        file: same[1]!.file,
        problem: `duplicate check id ${id} (also ${same[0]!.file}); rename the repo directory or the file`,
      });

  const spellings = new Map<string, Map<string, CheckDef>>();
  for (const c of all) {
    for (const s of c.services) {
      const key = serviceKey(s);
      const seen = spellings.get(key) ?? new Map<string, CheckDef>();
      if (!seen.has(s)) seen.set(s, c);
      spellings.set(key, seen);
    }
  }
  for (const seen of spellings.values()) {
    if (seen.size < 2) continue;
    const [first, ...rest] = [...seen];
    for (const [other, c] of rest) {
      problems.push({
        file: c.file,
        line: c.parsed.serviceLine,
        problem: `service "${other}" is spelled "${first![0]}" in ${first![1].file}; use one spelling, or their cooldowns and history are counted apart`,
      });
    }
  }
  for (const d of set.unmatchedDisable)
    problems.push({
      file: 'CLAUDEOPS_CHECKS_DISABLE',
      problem: `"${d}" matches no check id; see the ids listed above`,
    });
  return problems;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return out;
}

export const describeProblem = (p: FileProblem): string => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}`;
