import { createHash } from 'node:crypto';
import { z } from 'zod';

// What a monitoring system POSTs when an alert fires or resolves, read into one shape:
// Alertmanager's webhook, Grafana's (unified and legacy) and a small generic form.

export type AlertSource = 'alertmanager' | 'grafana' | 'generic';

export interface Alert {
  source: AlertSource;
  /** Who sent it, for rate limiting per source: `alertmanager:<receiver>`, `grafana:<receiver or orgId>`, `generic:<the form's source field, else "generic">`. */
  sender: string;
  /** labels.alertname, else Grafana's title/ruleName, else the generic form's name. */
  name: string;
  status: 'firing' | 'resolved';
  /** Prototype-free, keys as the payload gave them. */
  labels: Record<string, string>;
  /** Prototype-free, keys as the payload gave them. */
  annotations: Record<string, string>;
  /** As given, only when it is an ISO 8601 time after 1970 (Alertmanager's zero time is left out). */
  startsAt?: string;
  /** The payload's fingerprint, else sha256 hex (first 16 chars) of name + labels sorted by key. */
  fingerprint: string;
}

export type Parsed = { ok: true; source: AlertSource; alerts: Alert[] } | { ok: false; problems: string[] };

const MAX_ALERTS = 100;
const MAX_ENTRIES = 64;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEY_MAX = 128;
const LABEL_VALUE_MAX = 1024;
const ANNOTATION_VALUE_MAX = 8192;
const NAME_MAX = 256;
/** A 256 KiB body can hold thousands of mistakes; an operator needs the first ones. */
const MAX_PROBLEMS = 50;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const an = (noun: string): string => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
const kind = (v: unknown): string => (v === null ? 'null' : an(Array.isArray(v) ? 'array' : typeof v));
const cut = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

interface MapBounds {
  noun: 'label' | 'annotation';
  valueMax: number;
  /** Whether keys must be label names; annotation keys are only bounded in length. */
  labelNames: boolean;
}

function entryProblem(key: string, value: unknown, b: MapBounds): string | undefined {
  if (key.length > KEY_MAX) return `${an(b.noun)} name is at most ${KEY_MAX} characters, this one has ${key.length}`;
  if (b.labelNames && !LABEL_NAME.test(key))
    return `"${key}" is not a label name: letters, digits and underscores, not starting with a digit`;
  if (typeof value !== 'string') return `expected a string, got ${kind(value)}`;
  if (value.length > b.valueMax) return `${value.length} characters, at most ${b.valueMax} for ${an(b.noun)} value`;
  return undefined;
}

/**
 * Names to strings, read by hand into a prototype-free object rather than with z.record,
 * which drops a "__proto__" key: here it stays a plain key like any other.
 */
const stringMap = (b: MapBounds) =>
  z.unknown().transform((input, ctx) => {
    const out: Record<string, string> = Object.create(null);
    if (!isObject(input)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an object of ${b.noun}s ({"name": "value"}), got ${kind(input)}`,
      });
      return out;
    }
    const entries = Object.entries(input);
    if (entries.length > MAX_ENTRIES) {
      ctx.addIssue({ code: 'custom', message: `${entries.length} ${b.noun}s, at most ${MAX_ENTRIES} per alert` });
      return out;
    }
    for (const [key, value] of entries) {
      const problem = entryProblem(key, value, b);
      if (problem) ctx.addIssue({ code: 'custom', path: [cut(key)], message: problem });
      else out[key] = value as string;
    }
    return out;
  });

const labels = stringMap({ noun: 'label', valueMax: LABEL_VALUE_MAX, labelNames: true }).refine(
  (l) => (l.alertname?.length ?? 0) <= NAME_MAX,
  { path: ['alertname'], error: `the alert's name is at most ${NAME_MAX} characters` },
);
const annotations = stringMap({ noun: 'annotation', valueMax: ANNOTATION_VALUE_MAX, labelNames: false });
const annotationValue = z
  .string()
  .max(ANNOTATION_VALUE_MAX, { error: (i) => `${String(i.input).length} characters, at most ${ANNOTATION_VALUE_MAX}` });
const name = z
  .string()
  .min(1, 'empty: an alert needs a name')
  .max(NAME_MAX, { error: (i) => `${String(i.input).length} characters, at most ${NAME_MAX} for a name` });
/** Receivers, sources and fingerprints: short identifiers. */
const ident = z.string().max(NAME_MAX, { error: (i) => `${String(i.input).length} characters, at most ${NAME_MAX}` });
const status = z.enum(['firing', 'resolved'], { error: 'expected "firing" or "resolved"' });

const webhookAlert = z
  .object({
    status,
    labels: labels.optional(),
    annotations: annotations.optional(),
    startsAt: z.string().optional(),
    fingerprint: ident.optional(),
  })
  .loose();

const alertmanagerBody = z
  .object({
    receiver: ident.optional(),
    alerts: z.array(webhookAlert).max(MAX_ALERTS, {
      error: (i) => `${(i.input as unknown[]).length} alerts, at most ${MAX_ALERTS} in one payload`,
    }),
  })
  .loose();

// The title is only the name of an alert without an alertname label (Grafana gives every
// alert one), and grouped titles can be long, so it is bounded only when it is used.
const grafanaBody = alertmanagerBody
  .extend({ orgId: z.union([z.number(), ident]).optional(), title: z.string().optional() })
  .refine((b) => !b.alerts.some((a) => !a.labels?.alertname && (b.title?.length ?? 0) > NAME_MAX), {
    path: ['title'],
    error: `the name of an alert without an alertname label is at most ${NAME_MAX} characters`,
  });

const legacyState = z.enum(['alerting', 'ok', 'no_data', 'pending', 'paused'], {
  error: 'expected "alerting", "ok", "no_data", "pending" or "paused"',
});
const legacyBody = z
  .object({
    ruleName: name.optional(),
    title: name.optional(),
    state: legacyState,
    message: annotationValue.optional(),
    tags: labels.optional(),
  })
  .loose();

const genericBody = z
  .object({
    name,
    status: status.default('firing'),
    labels: labels.optional(),
    annotations: annotations.optional(),
    summary: annotationValue.optional(),
    startsAt: z.string().optional(),
    fingerprint: ident.optional(),
    source: ident.optional(),
  })
  .loose();

type Form = 'alertmanager' | 'grafana' | 'grafana-legacy' | 'generic';

/** Which form a body is in, or what it lacks to be any of them. */
function formOf(body: unknown): Form | { missing: string } {
  if (!isObject(body)) return { missing: `it is ${kind(body)}, not a JSON object` };
  const has = (key: string): boolean => Object.hasOwn(body, key);
  if (has('alerts')) return has('orgId') || (has('title') && has('state')) ? 'grafana' : 'alertmanager';
  if (has('state') && (has('ruleName') || has('title'))) return 'grafana-legacy';
  if (has('name')) return 'generic';
  return {
    missing:
      'it has no "alerts" list (Alertmanager, Grafana), no "ruleName" or "title" with a "state" (Grafana legacy) and no "name" (generic)',
  };
}

/** zod's own wording for a wrong type is terse; an operator reads these. */
const readable = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (issue.code !== 'invalid_type') return undefined;
  const want = an(String(issue.expected));
  return issue.input === undefined ? `missing: expected ${want}` : `expected ${want}, got ${kind(issue.input)}`;
};

function problems(error: z.ZodError): string[] {
  const all = error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`);
  if (all.length <= MAX_PROBLEMS) return all;
  return [...all.slice(0, MAX_PROBLEMS), `…and ${all.length - MAX_PROBLEMS} more problems`];
}

function read<S extends z.ZodType>(
  source: AlertSource,
  schema: S,
  body: unknown,
  toAlerts: (data: z.output<S>) => Alert[],
): Parsed {
  const r = schema.safeParse(body, { error: readable });
  return r.success ? { ok: true, source, alerts: toAlerts(r.data) } : { ok: false, problems: problems(r.error) };
}

interface Draft {
  name?: string | undefined;
  status: Alert['status'];
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  startsAt?: string | undefined;
  fingerprint?: string | undefined;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const startTime = (s: string | undefined): string | undefined =>
  s !== undefined && ISO_TIME.test(s) && Date.parse(s) > 0 ? s : undefined;

function fingerprintOf(name: string, labels: Record<string, string>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([name, sorted]))
    .digest('hex')
    .slice(0, 16);
}

function toAlert(source: AlertSource, sender: string, d: Draft): Alert {
  const labels = d.labels ?? Object.create(null);
  const name = labels.alertname || d.name || 'unnamed';
  const startsAt = startTime(d.startsAt);
  return {
    source,
    sender,
    name,
    status: d.status,
    labels,
    annotations: d.annotations ?? Object.create(null),
    ...(startsAt ? { startsAt } : {}),
    fingerprint: d.fingerprint || fingerprintOf(name, labels),
  };
}

/** The annotations with a summary added where they have none. */
function withSummary(annotations: Record<string, string> | undefined, summary: string | undefined) {
  const out: Record<string, string> = Object.assign(Object.create(null), annotations);
  if (summary !== undefined && out.summary === undefined) out.summary = summary;
  return out;
}

/** Only the fields read: a loose object carries whatever else the sender put in it. */
const fromWebhook = (a: z.output<typeof webhookAlert>, name?: string): Draft => ({
  name,
  status: a.status,
  labels: a.labels,
  annotations: a.annotations,
  startsAt: a.startsAt,
  fingerprint: a.fingerprint,
});

function fromLegacy(b: z.output<typeof legacyBody>): Alert[] {
  if (b.state === 'pending' || b.state === 'paused') return [];
  const draft: Draft = {
    name: b.ruleName ?? b.title,
    status: b.state === 'ok' ? 'resolved' : 'firing',
    labels: b.tags,
    annotations: withSummary(undefined, b.message),
  };
  return [toAlert('grafana', 'grafana:grafana', draft)];
}

function fromGeneric(b: z.output<typeof genericBody>): Alert[] {
  const draft: Draft = { ...b, annotations: withSummary(b.annotations, b.summary) };
  return [toAlert('generic', `generic:${b.source || 'generic'}`, draft)];
}

/** Reads a POSTed alert body (already JSON-parsed and bounded in size) into alerts, or every problem with it. */
export function parseAlerts(body: unknown): Parsed {
  const form = formOf(body);
  if (typeof form === 'object')
    return {
      ok: false,
      problems: [`the body is not an Alertmanager, Grafana or generic alert payload: ${form.missing}`],
    };
  switch (form) {
    case 'alertmanager':
      return read('alertmanager', alertmanagerBody, body, (b) =>
        b.alerts.map((a) => toAlert('alertmanager', `alertmanager:${b.receiver || 'alertmanager'}`, fromWebhook(a))),
      );
    case 'grafana':
      return read('grafana', grafanaBody, body, (b) =>
        b.alerts.map((a) =>
          toAlert('grafana', `grafana:${b.receiver || (b.orgId ?? 'grafana')}`, fromWebhook(a, b.title)),
        ),
      );
    case 'grafana-legacy':
      return read('grafana', legacyBody, body, fromLegacy);
    case 'generic':
      return read('generic', genericBody, body, fromGeneric);
  }
}
