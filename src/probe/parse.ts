import { parseCondition, type ConditionContext } from './conditions.js';
import { splitConditions, splitExpect } from './split.js';
import {
  DNS_TYPES,
  type Condition,
  type DnsType,
  type Probe,
  type ProbeKind,
  type ProbeProblem,
  type ProbeTarget,
} from './types.js';

/** "Probe" or "Probes", any level below the title. */
export const isProbeSection = (heading: string): boolean => /^probes?$/i.test(heading.trim());

/**
 * The probes of a check file's `## Probe` sections, from its lines: each list item up
 * to the next heading is one probe (indented lines right under an item continue it);
 * fenced code and other prose are left to the agent. A probe with a problem is left
 * out, and each problem is reported with its line.
 */
export function parseProbes(lines: readonly string[]): { probes: Probe[]; problems: ProbeProblem[] } {
  const probes: Probe[] = [];
  const problems: ProbeProblem[] = [];
  for (const section of probeSections(lines)) {
    // A section of commented-out examples only is a template, not a mistake.
    if (section.items.length === 0 && !section.commented)
      problems.push({
        line: section.line,
        problem:
          'probe: the Probe section lists no probes; add items such as "- http GET https://example.com/healthz", or remove the section',
      });
    for (const item of section.items) {
      const parsed = parseProbe(item.text, item.line);
      if (Array.isArray(parsed)) problems.push(...parsed);
      else probes.push(parsed);
    }
  }
  return { probes, problems };
}

interface Item {
  text: string;
  line: number;
}

interface Section {
  line: number;
  items: Item[];
  /** Whether it holds an HTML comment (`<!-- … -->`): examples left for the operator to fill in. */
  commented: boolean;
}

function probeSections(lines: readonly string[]): Section[] {
  const sections: Section[] = [];
  let fence = false;
  let comment = false;
  let section: Section | undefined;
  let item: Item | undefined;
  lines.forEach((raw, i) => {
    if (!fence && (comment || raw.includes('<!--'))) {
      comment = !raw.slice(raw.lastIndexOf('<!--')).includes('-->') && !(comment && raw.includes('-->'));
      if (section) section.commented = true;
      item = undefined;
      return;
    }
    const isFence = /^\s*(```|~~~)/.test(raw);
    if (isFence) fence = !fence;
    if (fence || isFence) {
      item = undefined;
      return;
    }
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(raw);
    if (heading) {
      item = undefined;
      section =
        heading[1]!.length >= 2 && isProbeSection(heading[2]!)
          ? { line: i + 1, items: [], commented: false }
          : undefined;
      if (section) sections.push(section);
      return;
    }
    if (!section) return;
    const listed = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(raw);
    if (listed) section.items.push((item = { text: listed[1]!, line: i + 1 }));
    else if (item && /^\s+\S/.test(raw)) item.text += ` ${raw.trim()}`;
    else item = undefined;
  });
  return sections;
}

/** One probe from its list item (marker removed), or its problems. */
export function parseProbe(item: string, line: number): Probe | ProbeProblem[] {
  const source = /^`[^`]+`$/.test(item.trim()) ? item.trim().slice(1, -1).trim() : item.trim();
  const problem = (p: string): ProbeProblem[] => [{ line, problem: `probe: ${p}` }];
  const { target, conditions } = splitExpect(source);
  const [word = ''] = target.split(/\s+/, 1);
  const kind = word.toLowerCase();
  if (!isKind(kind))
    return problem(
      `"${source}" starts with "${word}", not a kind of probe; start it with http, tcp, dns or run (e.g. "http GET https://example.com/healthz")`,
    );
  const made = parseTarget(kind, target.slice(word.length).trim());
  if (typeof made === 'string') return problem(`"${source}": ${made}`);
  const written: Condition[] = [];
  const problems: ProbeProblem[] = [];
  if (conditions !== undefined) {
    for (const text of splitConditions(conditions)) {
      const c =
        text === ''
          ? `"expect ${conditions}" has an empty condition; write conditions separated by commas, as in "expect status == 200, latency < 800 ms"`
          : parseCondition(text, made.context);
      if (typeof c === 'string') problems.push(...problem(c));
      else written.push(c);
    }
  }
  if (problems.length) return problems;
  return { ...made.probe, line, source, conditions: withDefault(kind, written) };
}

const KINDS: readonly ProbeKind[] = ['http', 'tcp', 'dns', 'run'];
const isKind = (word: string): word is ProbeKind => (KINDS as readonly string[]).includes(word);

type Target = { probe: ProbeTarget; context: ConditionContext };

function parseTarget(kind: ProbeKind, rest: string): Target | string {
  switch (kind) {
    case 'http':
      return httpTarget(rest);
    case 'tcp':
      return tcpTarget(rest);
    case 'dns':
      return dnsTarget(rest);
    case 'run':
      return rest === ''
        ? 'a run probe needs a command, as in "run df --output=pcent /"'
        : { probe: { kind, command: rest }, context: { kind } };
  }
}

function httpTarget(rest: string): Target | string {
  const words = rest.split(/\s+/).filter(Boolean);
  const named = words.length === 2 && /^[A-Za-z]+$/.test(words[0]!);
  if (words.length !== 1 && !named) return 'write it as "http GET <url>" (or HEAD), then "expect" and its conditions';
  const [method, url] = named ? [words[0]!.toUpperCase(), words[1]!] : ['GET', words[0]!];
  if (method !== 'GET' && method !== 'HEAD')
    return `${words[0]} is not allowed: a probe only reads, so use GET or HEAD`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; write it in full, as in https://example.com/healthz`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `"${url}" is not an http:// or https:// URL`;
  if (parsed.username || parsed.password)
    return `"${url}" holds credentials; the probe's detail shows its URL to whoever reads status, so leave them out`;
  return {
    probe: { kind: 'http', method: method, url },
    context: { kind: 'http', head: method === 'HEAD', https: parsed.protocol === 'https:' },
  };
}

const HOST =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function tcpTarget(rest: string): Target | string {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d+)$/.exec(rest);
  if (!m) return `"${rest}" is not host:port; write it as "tcp db.example.com:5432" ([::1]:5432 for IPv6)`;
  const port = Number(m[2]);
  if (!(port >= 1 && port <= 65535)) return `port ${m[2]} is not from 1 to 65535`;
  if (!m[1]!.startsWith('[') && !HOST.test(m[1]!)) return `"${m[1]}" is not a host name or address`;
  return { probe: { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port }, context: { kind: 'tcp' } };
}

function dnsTarget(rest: string): Target | string {
  const [name = '', type = 'A', ...extra] = rest.split(/\s+/).filter(Boolean);
  if (!HOST.test(name)) return `"${name}" is not a DNS name; write it as "dns example.com A"`;
  const upper = type.toUpperCase();
  if (extra.length || !(DNS_TYPES as readonly string[]).includes(upper))
    return `"${[type, ...extra].join(' ')}" is not a record type; use one of ${DNS_TYPES.join(', ')} (A when left out)`;
  return { probe: { kind: 'dns', name, type: upper as DnsType }, context: { kind: 'dns' } };
}

/** The kind's default, unless a written condition judges the same thing. */
function withDefault(kind: ProbeKind, written: Condition[]): Condition[] {
  const d = DEFAULTS[kind];
  if (!d || written.some((c) => c.subject === d.subject || (kind === 'dns' && c.subject === 'answer'))) return written;
  return [{ ...d }, ...written];
}

const DEFAULTS: Record<ProbeKind, Condition | undefined> = {
  http: { source: 'status < 400', degraded: false, subject: 'status', op: '<', number: 400 },
  tcp: undefined,
  dns: { source: 'answers >= 1', degraded: false, subject: 'answers', op: '>=', number: 1 },
  run: { source: 'exit == 0', degraded: false, subject: 'exit', op: '==', number: 0 },
};
