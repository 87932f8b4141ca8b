import path from 'node:path';
import { listRepos } from '../mcp/merge.js';
import { readRegular, walkFiles } from '../files/read-regular.js';
import { parseCheckFile, type CheckFile } from './check-file.js';

/** The repo name of the app's own checks in ids: `builtin/disk-space.md`. */
export const BUILTIN = 'builtin';
const MAX_FILE = 256 * 1024;
const LIMITS = { maxDepth: 6, maxFiles: 500 };

export interface CheckDef {
  /** `<repo>/<path under its checks directory>`: stable while the file stays where it is. */
  id: string;
  repo: string;
  /** Absolute path, as the agent is told to read it. */
  file: string;
  title: string;
  services: string[];
  severity?: string;
  failureThreshold?: number;
  successThreshold?: number;
  parsed: CheckFile;
}

export interface Playbook {
  repo: string;
  file: string;
  title: string;
  /** The lowest tier that may run it: its own `Tier:` line, else the manifest's rule, else 2. */
  tier: number;
}

export interface Skill {
  repo: string;
  /** The name the CLI lists it under: `<repo>-<name>`. */
  name: string;
  /** A skill directory with SKILL.md, or a single markdown file. */
  source: string;
  kind: 'dir' | 'file';
}

export interface Manifest {
  repo: string;
  file: string;
  /** The manifest's Rules section, or the whole manifest when it has none. */
  rules: string;
  /** "Playbooks need tier 3": the tier its playbooks need. */
  playbookTier?: number;
  /** "Never modify files in this repo": the repo is made read-only for every tier. */
  readOnly: boolean;
}

export interface FileProblem {
  file: string;
  line?: number;
  problem: string;
}

export interface CheckSet {
  checks: CheckDef[];
  /** Turned off by CLAUDEOPS_CHECKS_DISABLE. */
  disabled: CheckDef[];
  /** CLAUDEOPS_CHECKS_DISABLE entries that match no check. */
  unmatchedDisable: string[];
  playbooks: Playbook[];
  skills: Skill[];
  manifests: Manifest[];
  /** Each repo's directory by name (prototype-free). */
  repoDirs: Record<string, string>;
  problems: FileProblem[];
}

/**
 * Every check the cycle runs, found by the daemon: the app's `checks/*.md` (README
 * excluded) and each mounted repo's `.claude-ops/checks/**\/*.md`, with the repo's
 * playbooks, skills and CLAUDE-OPS.md manifest.
 */
export async function discoverChecks(options: { appDir: string; reposDir: string; disable: string[] }): Promise<CheckSet> {
  const set: CheckSet = { checks: [], disabled: [], unmatchedDisable: [], playbooks: [], skills: [], manifests: [], repoDirs: Object.create(null), problems: [] };
  const roots: { repo: string; dir: string; checksDir: string; recursive: boolean }[] = [
    { repo: BUILTIN, dir: options.appDir, checksDir: path.join(options.appDir, 'checks'), recursive: false },
  ];
  for (const repo of await listRepos(options.reposDir)) {
    const dir = path.join(options.reposDir, repo);
    roots.push({ repo, dir, checksDir: path.join(dir, '.claude-ops', 'checks'), recursive: true });
  }
  const all: CheckDef[] = [];
  for (const root of roots) {
    set.repoDirs[root.repo] = root.dir;
    const found = await readMarkdown(root.checksDir, root.recursive ? LIMITS : { ...LIMITS, maxDepth: 0 }, set);
    if (found.truncated && root.recursive) set.problems.push({ file: root.checksDir, problem: `more than ${LIMITS.maxFiles} files or ${LIMITS.maxDepth} levels of folders; the rest were not read` });
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

const isCheckName = (name: string): boolean => name.endsWith('.md') && name.toLowerCase() !== 'readme.md';

/** The markdown files under `dir` (README excluded), read within the limits and parsed; a file that cannot be read is a problem. */
async function readMarkdown(dir: string, limits: typeof LIMITS, set: CheckSet): Promise<{ files: { rel: string; file: string; parsed: CheckFile }[]; truncated: boolean }> {
  const found = await walkFiles(dir, isCheckName, limits);
  const files: { rel: string; file: string; parsed: CheckFile }[] = [];
  for (const rel of found.files) {
    const file = path.join(dir, rel);
    const text = await readRegular(file, MAX_FILE);
    if (!text.ok) set.problems.push({ file, problem: `not read: it ${text.why}` });
    else files.push({ rel, file, parsed: parseCheckFile(text.text) });
  }
  return { files, truncated: found.truncated };
}

async function readExtras(repo: string, dir: string, set: CheckSet): Promise<void> {
  const manifest = await readManifest(repo, dir, set);
  if (manifest) set.manifests.push(manifest);

  for (const { rel, file, parsed } of (await readMarkdown(path.join(dir, '.claude-ops', 'playbooks'), LIMITS, set)).files) {
    set.playbooks.push({ repo, file, title: parsed.title ?? rel, tier: parsed.tier ?? manifest?.playbookTier ?? 2 });
  }

  const skillDir = path.join(dir, '.claude-ops', 'skills');
  for (const rel of (await walkFiles(skillDir, (n) => n.endsWith('.md'), { maxDepth: 1, maxFiles: 100 })).files) {
    const parts = rel.split('/');
    if (parts.length === 2 && parts[1] === 'SKILL.md') set.skills.push({ repo, name: skillName(repo, parts[0]!), source: path.join(skillDir, parts[0]!), kind: 'dir' });
    else if (parts.length === 1 && parts[0]!.toLowerCase() !== 'readme.md') set.skills.push({ repo, name: skillName(repo, parts[0]!.replace(/\.md$/, '')), source: path.join(skillDir, rel), kind: 'file' });
  }
}

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

/** The rules of a manifest, and the two the daemon enforces itself. */
export function manifestRules(text: string): Pick<Manifest, 'rules' | 'playbookTier' | 'readOnly'> {
  const rules = sectionText(text, /^rules\b/i) ?? text.trim();
  const lines = rules.split(/\r?\n/);
  const tierLine = lines.map((l) => /playbook[^\n]*?\btier\s*([123])\b/i.exec(l) ?? /\btier\s*([123])\b[^\n]*?playbook/i.exec(l)).find(Boolean);
  const readOnly = lines.some((l) => /\b(never|do not|don't|must not|may not)\b.*\b(modify|write|change|edit|commit to|delete)\b.*\b(files?|repo|repository)\b/i.test(l));
  return { rules: rules.slice(0, 8_000), playbookTier: tierLine ? Number(tierLine[1]) : undefined, readOnly };
}

function sectionText(text: string, heading: RegExp): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{2,6}\s/.test(l) && heading.test(l.replace(/^#+\s*/, '')));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}}\\s`).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
}

const skillName = (repo: string, name: string): string => `${repo}-${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
