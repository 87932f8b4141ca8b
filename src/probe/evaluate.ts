import {
  OBSERVATION_LIMITS,
  type Condition,
  type DnsType,
  type JsonScalar,
  type NumberSubject,
  type Observation,
  type Op,
} from './types.js';

/** An observation the probe's runner made, failures aside. */
export type Seen = Exclude<Observation, { failure: unknown }>;

/** Whether a condition holds for what was seen, and what was seen when the probe's detail does not already say it. */
export interface Outcome {
  ok: boolean;
  got?: string;
}

export function evaluate(c: Condition, seen: Seen, dnsType?: DnsType): Outcome {
  switch (c.subject) {
    case 'body':
    case 'output': {
      const text = textOf(seen);
      return { ok: c.test === 'contains' ? text.includes(c.needle) : new RegExp(c.pattern, c.flags).test(text) };
    }
    case 'json':
      return jsonOutcome(c.path, c.op, c.value, textOf(seen));
    case 'answer': {
      const answers = seen.kind === 'dns' ? seen.answers : [];
      const same = (a: string): boolean => sameAnswer(a, c.answer, dnsType);
      return { ok: c.test === 'contains' ? answers.some(same) : answers.length > 0 && answers.every(same) };
    }
    default: {
      const n = numberOf(c.subject, seen);
      if (n === undefined) return { ok: false, got: MISSING[c.subject] ?? `no ${c.subject}` };
      return { ok: compare(n, c.op, c.number) };
    }
  }
}

const MISSING: Partial<Record<NumberSubject, string>> = {
  cert: 'no certificate seen',
  value: 'no number in the output',
};

export function numberOf(subject: NumberSubject, seen: Seen): number | undefined {
  switch (subject) {
    case 'latency':
      return seen.latencyMs;
    case 'status':
      return seen.kind === 'http' ? seen.status : undefined;
    case 'cert':
      return seen.kind === 'http' ? seen.certDaysLeft : undefined;
    case 'exit':
      return seen.kind === 'run' ? seen.exit : undefined;
    case 'value':
      return seen.kind === 'run' ? firstNumber(seen.output.slice(0, OBSERVATION_LIMITS.outputChars)) : undefined;
    case 'answers':
      return seen.kind === 'dns' ? seen.answers.length : undefined;
  }
}

const textOf = (seen: Seen): string =>
  seen.kind === 'http'
    ? (seen.body ?? '').slice(0, OBSERVATION_LIMITS.bodyChars)
    : seen.kind === 'run'
      ? seen.output.slice(0, OBSERVATION_LIMITS.outputChars)
      : '';

/** The first number in `text` that starts a word: 87 in "/dev/sda1 87%", not the 1 of sda1. */
export function firstNumber(text: string): number | undefined {
  const m = /(?<![\w.-])-?\d+(?:\.\d+)?/.exec(text);
  return m ? Number(m[0]) : undefined;
}

export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function jsonOutcome(path: (string | number)[], op: Op, want: JsonScalar, body: string): Outcome {
  let at: unknown;
  try {
    at = JSON.parse(body);
  } catch {
    return { ok: false, got: 'the body is not JSON' };
  }
  for (const step of path) {
    const has =
      typeof step === 'number'
        ? Array.isArray(at) && step < at.length
        : at !== null && typeof at === 'object' && !Array.isArray(at) && Object.hasOwn(at, step);
    if (!has) return { ok: false, got: 'nothing there' };
    at = (at as Record<string | number, unknown>)[step];
  }
  const got = shown(at);
  if (op === '==' || op === '!=') return { ok: (at === want) === (op === '=='), got };
  return { ok: typeof at === 'number' && typeof want === 'number' && compare(at, op, want), got };
}

const shown = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

/** DNS answers compare without case or a final dot (TXT exactly); an MX answer also by its host alone. */
function sameAnswer(answer: string, want: string, type?: DnsType): boolean {
  if (type === 'TXT') return answer === want;
  const norm = (s: string): string => s.trim().toLowerCase().replace(/\.$/, '');
  return norm(answer) === norm(want) || (type === 'MX' && norm(answer.split(/\s+/).pop() ?? '') === norm(want));
}
