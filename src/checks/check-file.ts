// What the daemon reads from one check (or playbook) markdown file. The agent still
// reads the whole file; these are the facts the daemon itself needs: a title, the
// services it covers, its severity and thresholds, and which sections it has.

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
  failureThreshold?: number;
  successThreshold?: number;
  /** A playbook's `Tier:` line: the lowest tier that may run it. */
  tier?: number;
  sections: Section[];
  /** Fields whose values cannot be used, with their line. */
  fieldProblems: { line: number; problem: string }[];
}

const FIELD = /^\s*(?:[-*]\s*)?(?:\*\*)?([A-Za-z][A-Za-z ]{1,30}?)(?::\*\*|\*\*:|:)\s*(.+?)\s*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;

/** "How to Check", "How", "Procedure", "Steps", "Commands": what to run. */
export const isHowSection = (heading: string): boolean => /^(how\b|procedure|steps|commands|check\b|checks\b|what to run)/i.test(heading.trim());
/** "Healthy when", "What's Healthy", "Thresholds", "Pass criteria": where healthy ends. */
export const isHealthySection = (heading: string): boolean => /healthy|threshold|pass criteria|expected|success criteria/i.test(heading);

export function parseCheckFile(text: string): CheckFile {
  const out: CheckFile = { services: [], sections: [], fieldProblems: [] };
  let fence = false;
  const lines = text.split(/\r?\n/);
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
    else if (key === 'failure threshold' || key === 'success threshold' || key === 'tier' || key === 'minimum tier') {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      const max = key.includes('tier') ? 3 : 100;
      if (!(n >= 1 && n <= max)) {
        out.fieldProblems.push({ line, problem: `"${field[1]!.trim()}: ${value}" is not a whole number from 1 to ${max}` });
        return;
      }
      if (key === 'failure threshold') out.failureThreshold = n;
      else if (key === 'success threshold') out.successThreshold = n;
      else out.tier = n;
    }
  });
  return out;
}

/** A service name as two spellings of it compare: case, dashes, dots and underscores ignored. */
export const serviceKey = (name: string): string => name.toLowerCase().replace(/[-_.\s]/g, '');
