import type { CheckFile } from './check-file.js';

// What discovery finds: the checks of a cycle and what the mounted repos bring with them.

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
  /** What its probes found this cycle, when they hand it to the model: the evidence, and why the model is asked. */
  probe?: { status: string; detail: string; why: string };
}

export interface Playbook {
  repo: string;
  file: string;
  title: string;
  /** The lowest tier that may run it: the higher of its own `Tier:` line (3 when unreadable, else 2) and the manifest's rule. */
  tier: number;
}

export interface Skill {
  repo: string;
  /** The name the CLI lists it under: `<repo>-<name>`. */
  name: string;
  /** A skill directory with SKILL.md, or a single markdown file. */
  source: string;
  kind: 'dir' | 'file';
  /** The skill's own file: `SKILL.md` (any case) in a directory, or the file's name. */
  main: string;
  /** The lowest tier given it: its `Tier:` line or `## Tier Requirement` section, else 1. */
  tier: number;
}

export interface Manifest {
  repo: string;
  file: string;
  /** The whole manifest (Kind, Capabilities, Inventory, Rules), cut at a bound. */
  text: string;
  truncated: boolean;
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
  /** Each repo's directory by name (prototype-free): this instance's repos only. */
  repoDirs: Record<string, string>;
  /** Repos another instance owns (CLAUDEOPS_INSTANCE), left alone here. */
  otherInstances: string[];
  problems: FileProblem[];
  /** What was found and left alone on purpose (templates, a repo-root layout), with why. */
  notes: FileProblem[];
}

/** What discovery starts from: nothing found yet. */
export const emptyCheckSet = (): CheckSet => ({
  checks: [],
  disabled: [],
  unmatchedDisable: [],
  playbooks: [],
  skills: [],
  manifests: [],
  repoDirs: Object.create(null) as Record<string, string>,
  otherInstances: [],
  problems: [],
  notes: [],
});
