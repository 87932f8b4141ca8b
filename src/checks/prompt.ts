import type { TierNumber } from '../config/config.js';
import type { CheckSet } from './check-set.js';

/**
 * The part of a tier's prompt the daemon writes from what it found: the checks to
 * run, by id and path (the agent does not search for them), and for tiers 2-3 the
 * playbooks this tier may run and those it must hand up.
 */
export function checksPrompt(set: CheckSet, tier: TierNumber): string {
  const out = ['## Checks to run (handed out by the daemon)'];
  if (set.checks.length === 0)
    out.push('No check files are configured. Judge the infrastructure as a whole and say so in the summary.');
  else {
    out.push(
      `There are exactly ${set.checks.length} check(s). Read each file at its path and run it as written. Do not look for other check files.`,
      'Your verdict needs one `checks` entry per id below, with the id exactly as written. A check you cannot run is `unknown` with the reason. A check whose own "When to Run" (or list of targets) says it does not apply here is `not_applicable`, with the reason in `detail`. A check left out is recorded as not judged.',
      '',
      ...set.checks.flatMap((c) => [
        `- id \`${c.id}\` · file \`${c.file}\` · ${c.title}${c.services.length ? ` · service ${c.services.join(', ')}` : ''}${c.severity ? ` · severity ${c.severity}` : ''}`,
        ...(c.probe ? [`  - probe: ${c.probe.status} · ${c.probe.detail} (${c.probe.why})`] : []),
      ]),
    );
    if (set.checks.some((c) => c.probe))
      out.push(
        '',
        "Where a check shows a probe line, the daemon has just run the check's `## Probe` section: take that as evidence, find out why it shows what it shows, and judge the check as a whole; running the probe again tells nothing new.",
      );
  }
  if (tier === 1) return out.join('\n');
  const mine = set.playbooks.filter((p) => p.tier <= tier);
  const above = set.playbooks.filter((p) => p.tier > tier);
  if (mine.length)
    out.push(
      '',
      '## Playbooks you may run',
      ...mine.map((p) => `- \`${p.file}\` · ${p.title} (repo ${p.repo}, tier ${p.tier}+)`),
    );
  if (above.length) {
    out.push(
      '',
      `## Playbooks above tier ${tier}`,
      'These need a higher tier; they are not readable to you. If one is what the situation needs, escalate and name it:',
      ...above.map((p) => `- \`${p.file}\` · ${p.title} (needs tier ${p.tier})`),
    );
  }
  return out.join('\n');
}

/** Each repo's CLAUDE-OPS.md, whole up to a bound, for every tier's system prompt. */
export function manifestPrompt(set: CheckSet): string {
  if (set.manifests.length === 0) return '';
  const out = ['## The mounted repos, in their own words (their CLAUDE-OPS.md; its rules hold at every tier)'];
  for (const m of set.manifests) {
    out.push('', `### Repo ${m.repo} (${set.repoDirs[m.repo]})`, demoted(m.text));
    if (m.truncated) out.push(`(Cut short here: read the rest at ${m.file}.)`);
    if (m.readOnly) out.push('(The daemon mounts this repo read-only for you.)');
  }
  return out.join('\n');
}

/** The manifest's headings moved below the repo's own, so its "# Claude Ops Manifest" does not outrank the prompt's sections. */
const demoted = (text: string): string =>
  text.replace(/^(#{1,6})(?=\s)/gm, (h) => '#'.repeat(Math.min(6, h.length + 3)));
