// A check's `## Probe` section, as data: what to look at and what must hold. A runner
// observes (http, tcp, dns or a command in the tier-1 sandbox); `judge` decides.

export type ProbeKind = 'http' | 'tcp' | 'dns' | 'run';
export type ProbeStatus = 'healthy' | 'degraded' | 'unhealthy';
/** Longest first, so `<=` is never read as `<`. */
export const OPS = ['==', '!=', '<=', '>=', '<', '>'] as const;
export type Op = (typeof OPS)[number];
export const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type DnsType = (typeof DNS_TYPES)[number];
export type HttpMethod = 'GET' | 'HEAD';

/** Conditions that compare one number: latency in ms, cert in days left, answers as a count. */
export type NumberSubject = 'status' | 'latency' | 'cert' | 'exit' | 'value' | 'answers';
export type Subject = NumberSubject | 'body' | 'output' | 'json' | 'answer';
export type JsonScalar = string | number | boolean | null;

interface ConditionBase {
  /** As written (or the default's spelling), for details and problems. */
  source: string;
  /** Failing it alone makes the probe degraded, not unhealthy. */
  degraded: boolean;
}

export type Condition =
  | (ConditionBase & { subject: NumberSubject; op: Op; number: number })
  | (ConditionBase & { subject: 'body' | 'output'; test: 'contains'; needle: string })
  | (ConditionBase & { subject: 'body' | 'output'; test: 'matches'; pattern: string; flags: string })
  | (ConditionBase & { subject: 'json'; path: (string | number)[]; op: Op; value: JsonScalar })
  | (ConditionBase & { subject: 'answer'; test: 'contains' | '=='; answer: string });

interface ProbeBase {
  /** The line of its list item in the check file. */
  line: number;
  /** The item as written, list marker and backticks removed. */
  source: string;
  /** What must hold, the kind's default included unless a condition on its subject was written. */
  conditions: Condition[];
}

/** Where a probe looks; a run probe's command is run by `sh -c` in the tier-1 sandbox. */
export type ProbeTarget =
  | { kind: 'http'; method: HttpMethod; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'dns'; name: string; type: DnsType }
  | { kind: 'run'; command: string };

export type Probe = ProbeBase & ProbeTarget;

export interface ProbeProblem {
  line: number;
  problem: string;
}

/** Why a runner saw nothing to judge; `judge` words it for the operator. */
export type ProbeFailure =
  | { reason: 'timeout'; afterMs: number }
  | { reason: 'refused' }
  | { reason: 'egress' }
  | { reason: 'not-found' }
  | { reason: 'tls'; message: string }
  | { reason: 'error'; message: string };

/** What a runner saw: the probe's own kind, or a failure. Body and output are cut at OBSERVATION_LIMITS. */
export type Observation =
  | { kind: 'http'; status: number; latencyMs: number; body?: string; certDaysLeft?: number }
  | { kind: 'tcp'; latencyMs: number }
  /** MX answers as "<priority> <host>", TXT answers with their strings joined. */
  | { kind: 'dns'; answers: string[]; latencyMs: number }
  | { kind: 'run'; exit: number; output: string; latencyMs: number }
  | { kind: ProbeKind; failure: ProbeFailure; latencyMs?: number };

/** What a runner keeps of a body or an output; `judge` reads no further either. */
export const OBSERVATION_LIMITS = { bodyChars: 64 * 1024, outputChars: 16 * 1024 };

export interface Judgement {
  status: ProbeStatus;
  /** One line for `status` and the console: what was probed, what was seen, what was expected. */
  detail: string;
  /** A run probe's number: the first in its output standing apart from a word. */
  value?: number;
  latencyMs?: number;
}
