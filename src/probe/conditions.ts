import type { Condition, JsonScalar, NumberSubject, Op, ProbeKind, Subject } from './types.js';

/** The conditions each kind can judge. */
export const SUBJECTS: Record<ProbeKind, readonly Subject[]> = {
  http: ['status', 'body', 'json', 'latency', 'cert'],
  tcp: ['latency'],
  dns: ['answer', 'answers', 'latency'],
  run: ['exit', 'output', 'value', 'latency'],
};

/** "an http probe", for messages. */
export const aProbe = (kind: ProbeKind): string => `${kind === 'http' ? 'an' : 'a'} ${kind} probe`;

/** What a condition may depend on besides its kind: HEAD has no body, http:// no certificate. */
export interface ConditionContext {
  kind: ProbeKind;
  head?: boolean;
  https?: boolean;
}

const OP = /^(==|!=|<=|>=|<|>)\s*(.*)$/;
const NUMBER = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)$/;
const EXAMPLES: Partial<Record<Subject, string>> = { latency: 'latency < 800 ms', cert: 'cert > 14 days' };
const KEY = String.raw`[A-Za-z_$][\w$-]*`;
const INDEX = String.raw`\[(?:\d+|"(?:[^"\\]|\\.)*")\]`;
/** jq's spelling: `.`, `.a.b`, `.items[0]`, `.["a b"]`. */
const JSON_PATH = new RegExp(String.raw`^(\.(?:${KEY}|${INDEX})?(?:\.${KEY}|\.?${INDEX})*)\s*(.*)$`);
const WHOLE: ReadonlySet<Subject> = new Set(['status', 'exit', 'answers']);
const isSubject = (word: string): word is Subject => Object.values(SUBJECTS).some((s) => s.includes(word as Subject));

/** One condition of an `expect` clause, or what is wrong with it. */
export function parseCondition(written: string, context: ConditionContext): Condition | string {
  const degradedMark = /\s*\(degraded\)$/i.exec(written);
  const source = degradedMark ? written.slice(0, degradedMark.index) : written;
  const degraded = degradedMark !== null;
  const [, word = '', rest = ''] = /^([A-Za-z]+)\s*(.*)$/.exec(source) ?? [];
  const subject = word.toLowerCase();
  const allowed = SUBJECTS[context.kind];
  if (!isSubject(subject))
    return `condition "${written}" is not one a probe knows: ${aProbe(context.kind)} takes ${allowed.join(', ')}`;
  if (!allowed.includes(subject))
    return `condition "${written}" does not apply to ${aProbe(context.kind)}: it takes ${allowed.join(', ')}`;
  if ((subject === 'body' || subject === 'json') && context.head)
    return `condition "${written}": a HEAD request gets no body; use GET`;
  if (subject === 'cert' && context.https === false)
    return `condition "${written}": an http:// URL has no certificate; use https:// or drop the condition`;
  const base = { source, degraded };
  switch (subject) {
    case 'body':
    case 'output':
      return textCondition(subject, rest, base);
    case 'json':
      return jsonCondition(rest, base);
    case 'answer':
      return answerCondition(rest, base);
    default:
      return numberCondition(subject, rest, base);
  }
}

type Base = { source: string; degraded: boolean };

function numberCondition(subject: NumberSubject, rest: string, base: Base): Condition | string {
  const example = EXAMPLES[subject] ?? `${subject} == 0`;
  const op = OP.exec(rest);
  if (!op) return `condition "${base.source}" has no comparison: write it as "${example}" (== != < <= > >=)`;
  const n = NUMBER.exec(op[2]!);
  if (!n) return `condition "${base.source}": "${op[2]}" is not a number; write it as "${example}"`;
  const number = Number(n[1]);
  const unit = n[2]!.toLowerCase();
  if (WHOLE.has(subject) && !Number.isInteger(number))
    return `condition "${base.source}": ${subject} is a whole number, not ${n[1]}`;
  if (subject === 'latency') {
    if (unit !== 'ms' && unit !== 's')
      return `condition "${base.source}": say the unit of the latency, ms or s, as in "${example}"`;
    return { ...base, subject, op: op[1] as Op, number: unit === 's' ? number * 1000 : number };
  }
  if (subject === 'cert' && unit !== 'days' && unit !== 'day')
    return `condition "${base.source}": the certificate's time left is in days, as in "${example}"`;
  if (subject !== 'cert' && unit !== '') return `condition "${base.source}": ${subject} takes no unit ("${unit}")`;
  return { ...base, subject, op: op[1] as Op, number };
}

function textCondition(subject: 'body' | 'output', rest: string, base: Base): Condition | string {
  const m = /^(contains|matches)\s+(.*)$/i.exec(rest);
  if (!m) return `condition "${base.source}": write ${subject} contains "<text>" or ${subject} matches /<regex>/`;
  if (m[1]!.toLowerCase() === 'contains') {
    const needle = quoted(m[2]!);
    if (needle === undefined)
      return `condition "${base.source}": put the text in double quotes, as in ${subject} contains "ok"`;
    return { ...base, subject, test: 'contains', needle };
  }
  const re = /^\/(.*)\/([A-Za-z]*)$/s.exec(m[2]!);
  if (!re) return `condition "${base.source}": write the regular expression between slashes, as in /^ok/i`;
  const [, pattern = '', flags = ''] = re;
  if (/[^imsu]/.test(flags)) return `condition "${base.source}": regex flags may be i, m, s and u, not "${flags}"`;
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `condition "${base.source}": /${pattern}/ is not a regular expression (${(e as Error).message})`;
  }
  return { ...base, subject, test: 'matches', pattern, flags };
}

function jsonCondition(rest: string, base: Base): Condition | string {
  const m = JSON_PATH.exec(rest);
  if (!m)
    return `condition "${base.source}": a JSON path starts with a dot, as in json .status == "up" or json .items[0].id == 7`;
  const op = OP.exec(m[2]!);
  if (!op) return `condition "${base.source}" has no comparison: write json ${m[1]} == <value> (== != < <= > >=)`;
  const value = jsonValue(op[2]!);
  if (value === undefined)
    return `condition "${base.source}": compare with a string, number, true, false or null, not "${op[2]}"`;
  if (op[1] !== '==' && op[1] !== '!=' && typeof value !== 'number')
    return `condition "${base.source}": ${op[1]} compares numbers; use == or != for ${JSON.stringify(value)}`;
  return { ...base, subject: 'json', path: jsonPath(m[1]!), op: op[1] as Op, value };
}

function answerCondition(rest: string, base: Base): Condition | string {
  const m = /^(contains|==)\s*(.*)$/i.exec(rest);
  if (!m) return `condition "${base.source}": write answer contains <value> or answer == <value>`;
  const answer = quoted(m[2]!) ?? (/^[^\s"']+$/.test(m[2]!) ? m[2]! : undefined);
  if (answer === undefined)
    return `condition "${base.source}": give one value, in double quotes if it has spaces, as in answer contains 192.0.2.1`;
  return { ...base, subject: 'answer', test: m[1]!.toLowerCase() as 'contains' | '==', answer };
}

/** A double-quoted string with JSON's escapes. */
function quoted(text: string): string | undefined {
  if (!/^".*"$/s.test(text)) return undefined;
  try {
    return JSON.parse(text) as string;
  } catch {
    return undefined;
  }
}

/** A JSON string, number, true, false or null; a bare word is a string. */
function jsonValue(text: string): JsonScalar | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v === null || ['string', 'number', 'boolean'].includes(typeof v) ? (v as JsonScalar) : undefined;
  } catch {
    return /^[\w.:/@+-]+$/.test(text) ? text : undefined;
  }
}

function jsonPath(text: string): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const m of text.matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g))
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)));
  return steps;
}
