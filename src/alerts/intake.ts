import type { Alert } from './payload.js';

const HOUR = 3_600_000;
/** Senders name themselves, so all of them together start at most this many times `perHour`. */
const ALL_SENDERS = 3;

/** An alert as repeats are told apart: one sender's fingerprint, which another sender cannot squat. */
export const alertKey = (a: Pick<Alert, 'sender' | 'fingerprint'>): string => `${a.sender}\u0000${a.fingerprint}`;

/** What becomes of one alert that arrived. */
export type AlertOutcome = 'start' | 'duplicate' | 'rate-limited' | 'resolved';

/** What the intake remembers between payloads: kept by the daemon, lost on restart (the window is short). */
export interface IntakeState {
  /** When each alert (alertKey) last started (or queued) a cycle, in ms. */
  accepted: ReadonlyMap<string, number>;
  /** When each sender's alerts started cycles within the last hour, in ms. */
  bySender: ReadonlyMap<string, readonly number[]>;
  /** When any sender's did. */
  all: readonly number[];
}

export const emptyIntake = (): IntakeState => ({ accepted: new Map(), bySender: new Map(), all: [] });

export interface IntakeLimits {
  dedupeMs: number;
  perHour: number;
}

/**
 * Decides each alert of a payload: a firing alert starts (or joins the queued) cycle
 * unless it (its sender's fingerprint) is in the running or queued cycle or started one
 * within the window, or its sender has started `perHour` in the last hour, or all senders
 * together three times that. A resolved alert starts nothing, and may start a cycle
 * again the next time it fires.
 */
export function admit(
  state: IntakeState,
  alerts: readonly Alert[],
  inFlight: ReadonlySet<string>,
  now: number,
  limits: IntakeLimits,
): { outcomes: AlertOutcome[]; next: IntakeState } {
  const accepted = new Map([...state.accepted].filter(([, at]) => now - at < Math.max(limits.dedupeMs, 1)));
  const bySender = new Map(
    [...state.bySender]
      .map(([s, times]) => [s, times.filter((t) => now - t < HOUR)] as const)
      .filter(([, t]) => t.length),
  );
  const all = state.all.filter((t) => now - t < HOUR);
  const outcomes = alerts.map((a): AlertOutcome => {
    const key = alertKey(a);
    if (a.status === 'resolved') {
      accepted.delete(key);
      return 'resolved';
    }
    if (inFlight.has(key) || accepted.has(key)) return 'duplicate';
    const times = bySender.get(a.sender) ?? [];
    if (times.length >= limits.perHour || all.length >= ALL_SENDERS * limits.perHour) return 'rate-limited';
    accepted.set(key, now);
    bySender.set(a.sender, [...times, now]);
    all.push(now);
    return 'start';
  });
  return { outcomes, next: { accepted, bySender, all } };
}

/** What the alerts endpoint answers: what became of the payload's cycle, and of each alert. */
export interface AlertReply {
  outcome: 'started' | 'queued' | 'nothing to start' | 'stopping' | 'refused';
  alerts: { name: string; fingerprint: string; outcome: AlertOutcome }[];
}
