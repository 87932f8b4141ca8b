import fs from 'node:fs/promises';
import path from 'node:path';
import { readRegular } from '../files/read-regular.js';
import { parseCheckFile, tierValue } from './check-file.js';
import type { CheckSet, Manifest, Skill } from './check-set.js';
import { readMarkdown, MAX_FILE, LIMITS } from './markdown.js';

// What a repo brings besides checks: its manifest, playbooks and skills, each with the
// tier it needs. A tier the daemon cannot read is taken as 3: a playbook is withheld
// from lower tiers rather than offered to them by mistake.

const MANIFEST_TEXT = 8_000;

export async function readExtras(repo: string, dir: string, set: CheckSet): Promise<void> {
  const manifest = await readManifest(repo, dir, set);
  if (manifest) set.manifests.push(manifest);
  await readPlaybooks(repo, dir, manifest, set);
  await readSkills(repo, path.join(dir, '.claude-ops', 'skills'), set);
  await noteRootLayout(repo, dir, set);
}

async function readPlaybooks(repo: string, dir: string, manifest: Manifest | undefined, set: CheckSet): Promise<void> {
  for (const { rel, file, parsed } of (await readMarkdown(path.join(dir, '.claude-ops', 'playbooks'), LIMITS, set))
    .files) {
    for (const p of parsed.fieldProblems)
      set.problems.push({
        file,
        line: p.line,
        problem: `${p.problem}; until it does, tiers 1 and 2 are not given this playbook`,
      });
    const own = parsed.tierLine !== undefined ? (parsed.tier ?? 3) : 2;
    set.playbooks.push({ repo, file, title: parsed.title ?? rel, tier: Math.max(own, manifest?.playbookTier ?? 1) });
  }
}

const SKILL_FILE = /^skill\.md$/i;

/**
 * Claude Code's layout (`<name>/SKILL.md`, any case) and claude-ops's flat files
 * (`<name>.md`). READMEs, templates and skills written for a person to invoke are
 * skipped, with a note saying why.
 */
async function readSkills(repo: string, skillDir: string, set: CheckSet): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = (await fs.readdir(skillDir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch {
    return;
  }
  for (const e of entries.slice(0, 100)) {
    const source = path.join(skillDir, e.name);
    if (e.isDirectory()) {
      const main = (await fs.readdir(source).catch(() => [] as string[])).find((n) => SKILL_FILE.test(n));
      if (!main) set.notes.push({ file: source, problem: 'skipped: a skill folder needs a SKILL.md' });
      else await addSkill(repo, { name: e.name, source, kind: 'dir', main }, set);
    } else if (e.isFile() && e.name.endsWith('.md')) {
      if (/^readme\.md$/i.test(e.name)) continue;
      if (/template/i.test(e.name)) set.notes.push({ file: source, problem: 'skipped: a template, not a skill' });
      else await addSkill(repo, { name: e.name.replace(/\.md$/, ''), source, kind: 'file', main: e.name }, set);
    }
  }
}

async function addSkill(
  repo: string,
  found: { name: string; source: string; kind: Skill['kind']; main: string },
  set: CheckSet,
): Promise<void> {
  const file = found.kind === 'dir' ? path.join(found.source, found.main) : found.source;
  const text = await readRegular(file, MAX_FILE);
  if (!text.ok) {
    set.problems.push({ file, problem: `not read: it ${text.why}` });
    return;
  }
  const front = frontMatter(text.text);
  if (/^(user[-_]invocable:\s*true|disable-model-invocation:\s*true)\s*$/im.test(front)) {
    set.notes.push({
      file,
      problem:
        'skipped: its front matter makes it a command for a person to invoke, and no person invokes commands in a cycle',
    });
    return;
  }
  const tier = skillTier(text.text);
  if (tier.problem)
    set.problems.push({
      file,
      line: tier.line,
      problem: `${tier.problem}; until it does, tiers 1 and 2 are not given this skill`,
    });
  set.skills.push({
    repo,
    name: skillName(repo, found.name),
    source: found.source,
    kind: found.kind,
    main: found.main,
    tier: tier.tier,
  });
}

const frontMatter = (text: string): string => /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '';

/** A skill's lowest tier: its `Tier:` line, else the first tier its `## Tier Requirement` section names, else 1. */
export function skillTier(text: string): { tier: number; line?: number; problem?: string } {
  const parsed = parseCheckFile(text);
  if (parsed.tierLine !== undefined)
    return parsed.tier
      ? { tier: parsed.tier }
      : {
          tier: 3,
          line: parsed.tierLine,
          problem: parsed.fieldProblems.find((p) => p.line === parsed.tierLine)!.problem,
        };
  const section = parsed.sections.find((s) => /^tier requirements?$/i.test(s.heading.trim()));
  if (!section) return { tier: 1 };
  const lines = text.split(/\r?\n/);
  const end = parsed.sections.find((s) => s.line > section.line)?.line ?? lines.length + 1;
  const body = lines
    .slice(section.line, end - 1)
    .join('\n')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\*\*|`/g, '');
  const named = /\b(?:minimum tier\s*:\s*(?:tier\s*)?|tier\s*)([1-3])\b(?![\d.])/i.exec(body);
  if (named) {
    const n = tierValue(named[1]!);
    if (n) return { tier: n };
  }
  return {
    tier: 3,
    line: section.line,
    problem: '"## Tier Requirement" names no tier: write "Tier 2 minimum." as its first line',
  };
}

export const skillName = (repo: string, name: string): string =>
  `${repo}-${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

async function readManifest(repo: string, dir: string, set: CheckSet): Promise<Manifest | undefined> {
  for (const file of [path.join(dir, 'CLAUDE-OPS.md'), path.join(dir, '.claude-ops', 'CLAUDE-OPS.md')]) {
    const text = await readRegular(file, MAX_FILE);
    if (!text.ok) {
      if (!text.missing) set.problems.push({ file, problem: `not read: it ${text.why}` });
      continue;
    }
    return { repo, file, ...manifestRules(text.text) };
  }
  return undefined;
}

/** The manifest for the prompt (bounded), and the two rules the daemon enforces itself. */
export function manifestRules(text: string): Pick<Manifest, 'text' | 'truncated' | 'playbookTier' | 'readOnly'> {
  const rules = sectionText(text, /^rules\b/i) ?? text.trim();
  const lines = rules.split(/\r?\n/);
  const tierLine = lines
    .map((l) => /playbook[^\n]*?\btier\s*([123])\b/i.exec(l) ?? /\btier\s*([123])\b[^\n]*?playbook/i.exec(l))
    .find(Boolean);
  const readOnly = lines.some((l) =>
    /\b(never|do not|don't|must not|may not)\b.*\b(modify|write|change|edit|commit to|delete)\b.*\b(files?|repo|repository)\b/i.test(
      l,
    ),
  );
  const whole = text.trim();
  return {
    text: whole.slice(0, MANIFEST_TEXT),
    truncated: whole.length > MANIFEST_TEXT,
    playbookTier: tierLine ? Number(tierLine[1]) : undefined,
    readOnly,
  };
}

function sectionText(text: string, heading: RegExp): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{2,6}\s/.test(l) && heading.test(l.replace(/^#+\s*/, '')));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}}\\s`).test(l));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

const ROOT_LAYOUT: [found: string, expected: string][] = [
  ['checks', '.claude-ops/checks'],
  ['playbooks', '.claude-ops/playbooks'],
  ['skills', '.claude-ops/skills'],
  ['.claude/skills', '.claude-ops/skills'],
];

/** claude-ops's own tree keeps these at its root; the daemon reads a repo's `.claude-ops/` only. */
async function noteRootLayout(repo: string, dir: string, set: CheckSet): Promise<void> {
  for (const [found, expected] of ROOT_LAYOUT) {
    const st = await fs.stat(path.join(dir, found)).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    set.notes.push({
      file: path.join(dir, found),
      problem: `not read: the daemon reads a repo's ${found === '.claude/skills' ? 'skills' : found} from ${repo}/${expected}/ (a folder at the repo's root, as in claude-ops's own tree, is the repo's, not the daemon's); move or copy the files there if they are meant for the daemon`,
    });
  }
}
