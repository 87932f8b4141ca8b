import { createHash } from 'node:crypto';
import { serviceKey } from '../checks/check-file.js';
import { NOT_REPORTED, type CheckResult, type CheckStatus } from '../checks/results.js';
import type { Memory, Note } from '../store/records.js';
import type { Verdict } from '../verdict/verdict.js';

// What the daemon learns from each cycle's verdicts, as notes about checks and services.
// The agent never writes a note: the daemon does, from what the verdicts and the final
// results show. `<state>/memory.json` is loaded and saved by the store (one writer).

/** One cycle, as memory learns from it. */
export interface Lesson {
  /** The cycle's id, e.g. run-20261202-101500. */
  cycle: string;
  now: Date;
  /** Each tier's run in order: its number, how long it took, its verdict if any. */
  tiers: { tier: number; durationMs: number; verdict?: Verdict }[];
  /** Every check's final result this cycle (a later tier's entry replaces an earlier one). */
  results: CheckResult[];
  /** Tier 1's results alone. */
  tier1: CheckResult[];
}

/** How long notes last and how many are kept. */
export interface MemoryLimits {
  /** A note's confidence halves every so many days since it was last written, confirmed or contradicted. */
  halfLifeDays: number;
  /** Notes kept overall. */
  maxNotes: number;
  /** Notes kept per check, or per service for notes about no check. */
  perSubject: number;
}

type Remediation = NonNullable<Verdict['remediations']>[number];
type Draft = Pick<Note, 'kind' | 'text' | 'confidence'> & Partial<Pick<Note, 'check' | 'service' | 'action'>>;

/** The notes being changed, with the cycle's stamp and the lines for the log. */
interface Work {
  notes: Note[];
  changes: string[];
  cycle: string;
  at: string;
}

const NEW_CONFIDENCE = { fix: 0.6, finding: 0.4, expected: 0.5 } as const;
const FORGET_BELOW = 0.05;
const DAY_MS = 86_400_000;

/** Folds one cycle's lessons into the notes; returns the new memory and, for the log, what changed. */
export function learn(memory: Memory, lesson: Lesson, limits: MemoryLimits): { memory: Memory; changes: string[] } {
  const w: Work = {
    notes: memory.notes.map((n) => ({ ...n })),
    changes: [],
    cycle: lesson.cycle,
    at: lesson.now.toISOString(),
  };
  learnFixes(w, lesson);
  learnFindings(w, lesson.results);
  learnExpected(w, lesson);
  const notes = forget(w.notes, lesson.now, limits, w.changes);
  return { memory: { ...memory, notes }, changes: w.changes };
}

/** A note's confidence now: pinned notes do not decay; others halve every halfLifeDays since `at`. */
export function weight(note: Note, now: Date, halfLifeDays: number): number {
  if (note.pinned || !(halfLifeDays > 0)) return note.confidence;
  const age = Math.max(0, now.getTime() - Date.parse(note.at));
  if (Number.isNaN(age)) return 0;
  return note.confidence * 0.5 ** (age / DAY_MS / halfLifeDays);
}

/** The longest a note's text is, whether the daemon or an operator wrote it. */
export const MAX_NOTE_TEXT = 300;

/** A note's text as kept and shown: on one line, at most MAX_NOTE_TEXT characters. */
export function noteText(text: string): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= MAX_NOTE_TEXT ? chars.join('') : `${chars.slice(0, MAX_NOTE_TEXT - 1).join('')}…`;
}

/**
 * Fix notes from restarts and the like. Per service and action the last outcome this
 * cycle counts: failed, or succeeded while the service's checks are still bad, lowers
 * the note; succeeded with every check of the service healthy writes or confirms it.
 */
function learnFixes(w: Work, lesson: Lesson): void {
  const last = new Map<string, { tier: number; durationMs: number; r: Remediation }>();
  for (const t of lesson.tiers)
    for (const r of t.verdict?.remediations ?? [])
      if (r.outcome === 'succeeded' || r.outcome === 'failed')
        last.set(`${r.action} ${serviceKey(r.service)}`, { tier: t.tier, durationMs: t.durationMs, r });
  for (const { tier, durationMs, r } of last.values()) {
    const key = serviceKey(r.service);
    const note = w.notes.find(
      (n) => n.kind === 'fix' && n.action === r.action && n.service !== undefined && serviceKey(n.service) === key,
    );
    const after = afterFix(lesson.results, key, tier);
    if (r.outcome === 'failed' || after === 'bad') {
      if (note)
        lower(
          w,
          note,
          r.outcome === 'failed' ? `it failed on ${r.service} this time` : `it did not fix ${r.service} this time`,
        );
      continue;
    }
    if (after !== 'healthy') continue;
    const why = r.detail?.trim() || tier1Finding(lesson.tier1, key);
    const text = noteText(
      `${r.action} fixed it (verified healthy in the same cycle; tier ${tier}'s run took ${duration(durationMs)})${why ? `: ${why}` : ''}`,
    );
    if (note) confirm(w, note, text);
    else add(w, { kind: 'fix', service: r.service, action: r.action, text, confidence: NEW_CONFIDENCE.fix });
  }
}

/**
 * What the final results say of a service after a fix by `tier`: `healthy` when every
 * check covering it is, `bad` when one judged at that tier or later is still unhealthy or
 * degraded. A bad result from before the fix (a lower tier's, or a probe's) that no later
 * tier re-judged says nothing of the fix either way, nor does an unjudged check.
 */
function afterFix(results: readonly CheckResult[], key: string, tier: number): 'healthy' | 'bad' | 'unsettled' {
  const covering = results.filter(
    (r) => !r.invented && r.status !== 'not_applicable' && r.services.some((s) => serviceKey(s) === key),
  );
  if (covering.some((r) => isBad(r.status) && (r.tier ?? 0) >= tier)) return 'bad';
  return covering.length > 0 && covering.every((r) => r.status === 'healthy') ? 'healthy' : 'unsettled';
}

/** What tier 1 found wrong with a service, for a fix whose remediation gave no detail. */
function tier1Finding(tier1: readonly CheckResult[], key: string): string | undefined {
  const found = tier1.find(
    (r) => isBad(r.status) && r.detail && r.detail !== NOT_REPORTED && r.services.some((s) => serviceKey(s) === key),
  );
  return found?.detail?.trim();
}

/** Finding notes: every check still unhealthy or degraded at the end of the cycle, with its evidence. */
function learnFindings(w: Work, results: readonly CheckResult[]): void {
  for (const r of results) {
    if (r.invented || !isBad(r.status) || !r.detail?.trim() || r.detail === NOT_REPORTED) continue;
    const text = noteText(`${r.status}: ${r.detail}`);
    const note = w.notes.find((n) => n.kind === 'finding' && n.check === r.id && n.text === text);
    if (note) confirm(w, note);
    else add(w, { kind: 'finding', check: r.id, service: r.services[0], text, confidence: NEW_CONFIDENCE.finding });
  }
}

/**
 * Expected notes: what tier 1 flagged and a higher tier judged healthy is written (or
 * confirmed), unless a tier acted on one of its services (then it was fixed, not expected);
 * a check a higher tier finds unhealthy after all lowers its expected note.
 */
function learnExpected(w: Work, lesson: Lesson): void {
  const final = new Map(lesson.results.map((r) => [r.id, r]));
  const acted = new Set(lesson.tiers.flatMap((t) => (t.verdict?.remediations ?? []).map((r) => serviceKey(r.service))));
  for (const t1 of lesson.tier1) {
    const r = final.get(t1.id);
    if (!isBad(t1.status) || !r || r.invented || r.status !== 'healthy' || (r.tier ?? 0) < 2) continue;
    if ([...t1.services, ...r.services].some((s) => acted.has(serviceKey(s)))) continue;
    const text = noteText(
      `tier 1 saw "${t1.detail ?? t1.status}"; tier ${r.tier} found it expected: ${r.detail ?? 'healthy'}`,
    );
    const note = w.notes.find((n) => n.kind === 'expected' && n.check === r.id);
    if (note) confirm(w, note, text);
    else add(w, { kind: 'expected', check: r.id, service: r.services[0], text, confidence: NEW_CONFIDENCE.expected });
  }
  for (const r of lesson.results) {
    if (r.invented || r.status !== 'unhealthy' || (r.tier ?? 0) < 2) continue;
    for (const n of w.notes)
      if (n.kind === 'expected' && n.check === r.id) lower(w, n, `tier ${r.tier} found ${r.id} unhealthy this time`);
  }
}

/** Drops faded notes, then the weakest beyond each subject's cap and beyond the overall cap; pinned ones stay. */
function forget(notes: Note[], now: Date, limits: MemoryLimits, changes: string[]): Note[] {
  const w = new Map(notes.map((n) => [n, weight(n, now, limits.halfLifeDays)]));
  let kept = notes.filter((n) => n.pinned || w.get(n)! >= FORGET_BELOW);
  const faded = notes.length - kept.length;
  const subjects = new Map<string, Note[]>();
  for (const n of kept) {
    const key = subjectOf(n);
    subjects.set(key, [...(subjects.get(key) ?? []), n]);
  }
  const over = new Set([...subjects.values()].flatMap((group) => weakest(group, limits.perSubject, w)));
  kept = kept.filter((n) => !over.has(n));
  const beyond = new Set(weakest(kept, limits.maxNotes, w));
  kept = kept.filter((n) => !beyond.has(n));
  const gone = notes.length - kept.length;
  if (gone > 0) {
    const why = [
      faded ? `${faded} faded` : '',
      over.size ? `${over.size} over the cap per check or service` : '',
      beyond.size ? `${beyond.size} over the overall cap` : '',
    ];
    changes.push(`forgot ${gone} note(s): ${why.filter(Boolean).join(', ')}`);
  }
  return kept;
}

/** The unpinned notes to drop to keep `notes` within `max`: the lowest weight first, then the oldest. */
function weakest(notes: readonly Note[], max: number, w: ReadonlyMap<Note, number>): Note[] {
  const surplus = notes.length - Math.max(0, max);
  if (surplus <= 0) return [];
  return notes
    .filter((n) => !n.pinned)
    .sort((a, b) => w.get(a)! - w.get(b)! || (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0))
    .slice(0, surplus);
}

/** What a note counts against for the cap per subject: its check, else its service. */
function subjectOf(n: Note): string {
  if (n.check !== undefined) return `check ${n.check}`;
  return n.service !== undefined ? `service ${serviceKey(n.service)}` : 'none';
}

function confirm(w: Work, note: Note, text?: string): void {
  const was = note.confidence;
  Object.assign(note, { confidence: was + (1 - was) / 2, confirmed: note.confirmed + 1, at: w.at, cycle: w.cycle });
  if (text !== undefined && !note.editedAt) note.text = text;
  w.changes.push(`confirmed ${label(note)}: ${fixed(was)} → ${fixed(note.confidence)} (${note.confirmed}×)`);
}

function lower(w: Work, note: Note, why: string): void {
  Object.assign(note, { confidence: note.confidence / 2, at: w.at, cycle: w.cycle });
  w.changes.push(`lowered ${label(note)} to ${fixed(note.confidence)}: ${why}`);
}

/** A service as a verdict named it: one line, bounded, for a note's tag. */
const MAX_SERVICE = 100;

function add(w: Work, draft: Draft): void {
  const service = draft.service === undefined ? undefined : noteText(draft.service).slice(0, MAX_SERVICE);
  const fields = Object.fromEntries(Object.entries({ ...draft, service }).filter(([, v]) => v !== undefined)) as Draft;
  const note: Note = { id: noteId(w.notes, fields), ...fields, cycle: w.cycle, at: w.at, confirmed: 0 };
  w.notes.push(note);
  w.changes.push(`noted ${note.kind} for ${note.check ?? note.service}: ${note.text}`);
}

/** `n-` and the start of the note's hash at creation; a suffix when another note has it already. */
function noteId(notes: readonly Note[], d: Draft): string {
  const hash = createHash('sha256')
    .update([d.kind, d.check ?? '', d.service ?? '', d.action ?? '', d.text].join('|'))
    .digest('hex');
  const taken = new Set(notes.map((n) => n.id));
  const base = `n-${hash.slice(0, 10)}`;
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

const label = (n: Note): string =>
  n.kind === 'fix' ? `"${n.action} ${n.service}"` : `${n.kind} note on ${n.check ?? n.service}`;
const fixed = (c: number): string => c.toFixed(2);
const isBad = (s: CheckStatus): boolean => s === 'unhealthy' || s === 'degraded';

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
