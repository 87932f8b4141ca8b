// What the daemon reads from one check (or playbook) markdown file. The agent still
// reads the whole file; these are the facts the daemon itself needs: a title, the
// services it covers, its severity and thresholds, which sections it has, and the
// probes of its `## Probe` section, which the daemon runs and judges itself.

import { parseProbes } from '../probe/parse.js';
import type { Probe, ProbeProblem } from '../probe/types.js';

export interface Section {
  heading: string;
  line: number;
}

export interface CheckFile {
  title?: string;
  titleLine?: number;
  /** Service names from a `Service:` line; empty when the line describes rather than names them. */
  services: string[];
  serviceLine?: number;
  severity?: string;
  /** An `Alert labels:` line's pairs (prototype-free): an alert is about this check when it carries them all (`*`: any value). */
  alertLabels?: Record<string, string>;
  failureThreshold?: number;
  successThreshold?: number;
  /** A playbook's or skill's `Tier:` line: the lowest tier that may use it. */
  tier?: number;
  /** Where a `Tier:` line is, read or not. */
  tierLine?: number;
  sections: Section[];
  /** Fields whose values cannot be used, with their line. */
  fieldProblems: { line: number; problem: string }[];
  /** The `## Probe` section's probes that parsed; one with a problem is left out (see probeProblems). */
  probes: Probe[];
  /** What is wrong in the `## Probe` section, with its line; `validate` reports it. */
  probeProblems: ProbeProblem[];
}

const FIELD = /^\s*(?:[-*]\s*)?(?:\*\*)?([A-Za-z][A-Za-z ]{1,30}?)(?::\*\*|\*\*:|:)\s*(.+?)\s*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;

/** "How to Check", "How", "Procedure", "Steps", "Commands": what to run. */
export const isHowSection = (heading: string): boolean =>
  /^(how\b|procedure|steps|commands|check\b|checks\b|what to run)/i.test(heading.trim());
/** "Healthy when", "What's Healthy", "Thresholds", "Pass criteria": where healthy ends. */
export const isHealthySection = (heading: string): boolean =>
  /healthy|threshold|pass criteria|expected|success criteria/i.test(heading);

export function parseCheckFile(text: string): CheckFile {
  const lines = text.split(/\r?\n/);
  const { probes, problems: probeProblems } = parseProbes(lines);
  const out: CheckFile = { services: [], sections: [], fieldProblems: [], probes, probeProblems };
  let fence = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*(```|~~~)/.test(raw)) fence = !fence;
    if (fence) return;
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(raw);
    if (heading) {
      if (heading[1] === '#' && out.title === undefined) Object.assign(out, { title: heading[2], titleLine: line });
      else if (heading[1]!.length >= 2) out.sections.push({ heading: heading[2]!, line });
      return;
    }
    // Fields are read before the first section, where the format puts them.
    if (out.sections.length > 0) return;
    const field = FIELD.exec(raw);
    if (!field) return;
    const key = field[1]!.trim().toLowerCase();
    const value = field[2]!;
    if (key === 'service' || key === 'services') {
      out.serviceLine = line;
      const names = value.split(',').map((s) => s.trim().replace(/^`|`$/g, ''));
      out.services = names.every((n) => NAME.test(n)) ? names : [];
    } else if (key === 'severity') out.severity = value.toLowerCase();
    else if (key === 'alert labels' || key === 'alert label') {
      const labels = alertLabels(value);
      if (labels) out.alertLabels = labels;
      else
        out.fieldProblems.push({
          line,
          problem: `"${field[1]!.trim()}: ${value}" is not a list of name=value pairs: write e.g. "Alert labels: job=web, env=prod"`,
        });
    } else if (key === 'tier' || key === 'minimum tier' || key === 'tier requirement') {
      out.tierLine = line;
      const n = tierValue(value);
      if (n === undefined)
        out.fieldProblems.push({
          line,
          problem: `"${field[1]!.trim()}: ${value}" does not say a tier: write "Tier: 2", "Tier: 2 (Sonnet) minimum" or "Tier: 3 (Opus) only"`,
        });
      else out.tier = n;
    } else if (key === 'failure threshold' || key === 'success threshold') {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= 100)) {
        out.fieldProblems.push({
          line,
          problem: `"${field[1]!.trim()}: ${value}" is not a whole number from 1 to 100`,
        });
        return;
      }
      if (key === 'failure threshold') out.failureThreshold = n;
      else out.successThreshold = n;
    }
  });
  return out;
}

// An unquoted value has no "=": "job=web env=prod" lacks a comma rather than means a value "web env=prod".
const PAIR = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:`([^`]+)`|"([^"]+)"|([^`"\s=][^`"=]*?))$/;

/** `job=web, env="prod"` as a prototype-free map; undefined when a pair is not `name=value`. */
function alertLabels(value: string): Record<string, string> | undefined {
  const out: Record<string, string> = Object.create(null);
  for (const pair of value.split(',')) {
    const m = PAIR.exec(pair.trim().replace(/^`([^`]*)`$/, '$1'));
    if (!m) return undefined;
    out[m[1]!] = (m[2] ?? m[3] ?? m[4])!;
  }
  return out;
}

const MODEL = /\((?:haiku|sonnet|opus)[^)]*\)/i;
const QUALIFIER = /^(?:minimum|min\.?|only|or (?:higher|above)|and (?:higher|above|up)|required)?$/i;

/**
 * The tier a `Tier:` value names, in our forms and claude-ops's: "2", "2+", "Tier 2",
 * "2 (Sonnet) minimum", "3 (Opus) only", "at least 2". Every tier runs what lower
 * tiers may, so "only" reads as the minimum. Anything else is no tier at all.
 */
export function tierValue(value: string): number | undefined {
  const m = /^(?:at least\s+)?(?:tier\s*)?([1-3])\+?(?![\d.])\s*(.*)$/i.exec(value.replace(/\*\*|`/g, '').trim());
  if (!m) return undefined;
  return QUALIFIER.test(m[2]!.replace(MODEL, '').replace(/[.;]$/, '').trim()) ? Number(m[1]) : undefined;
}

/** A service name as two spellings of it compare: case, dashes, dots and underscores ignored. */
export const serviceKey = (name: string): string => name.toLowerCase().replace(/[-_.\s]/g, '');
