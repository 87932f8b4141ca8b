import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { CycleRecord } from '../record/cycle-record.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import type { MessageType } from './apprise.js';

const keyState = z.object({
  state: z.enum(['unhealthy', 'healthy']),
  since: z.string(),
  lastSentAt: z.string().optional(),
  detail: z.string().optional(),
});

export const notifyStateSchema = z.object({
  version: z.literal(1),
  keys: z.record(z.string(), keyState),
  failedCycles: z.number().int().min(0),
  /** UTC day on which the daily budget notice went out. */
  budgetNoticeDay: z.string().optional(),
});

export type NotifyState = z.infer<typeof notifyStateSchema>;

export interface Message {
  kind: 'unhealthy' | 'reminder' | 'resolved' | 'remediation' | 'daemon' | 'auth' | 'budget';
  /** What the message is about: a service, a check, or the daemon itself. */
  key: string;
  type: MessageType;
  title: string;
  body: string;
}

export const emptyNotifyState = (): NotifyState => ({ version: 1, keys: {}, failedCycles: 0 });

export async function loadNotifyState(file: string): Promise<NotifyState> {
  try {
    const parsed = notifyStateSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : emptyNotifyState();
  } catch {
    return emptyNotifyState();
  }
}

export const saveNotifyState = (file: string, state: NotifyState) => writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');

const DAEMON_KEY = 'claudeops';

/**
 * Decides what to tell operators about a cycle, deduplicated on (key, state): a key
 * going unhealthy is told once, reminded after `remindMs`, and told again when it
 * recovers. Remediations, repeated failed cycles and auth failures are told too.
 */
export function planNotifications(prev: NotifyState, cycle: CycleRecord, config: Config, now = new Date()): { messages: Message[]; next: NotifyState } {
  const next: NotifyState = structuredClone(prev);
  const where = `Log: ${path.join(config.resultsDir, cycle.tiers[cycle.tiers.length - 1]?.logFile ?? `${cycle.id}.json`)}`;
  if (cycle.status === 'skipped') return { messages: budgetMessages(next, cycle, now), next };
  const reached = cycle.status === 'healthy' || cycle.status === 'unhealthy';
  const messages = [
    ...(reached ? checkMessages(next, cycle, config.notify.remindMs, now, where) : []),
    ...(reached ? remediationMessages(cycle, config.resultsDir) : []),
    ...daemonMessages(next, cycle, config.notify.failures, where),
  ];
  return { messages, next };
}

function budgetMessages(next: NotifyState, cycle: CycleRecord, now: Date): Message[] {
  const today = now.toISOString().slice(0, 10);
  if (next.budgetNoticeDay === today) return [];
  next.budgetNoticeDay = today;
  return [{ kind: 'budget', key: DAEMON_KEY, type: 'warning', title: 'claudeops: daily budget reached, cycles paused', body: cycle.skippedReason ?? cycle.summary }];
}

function checkMessages(next: NotifyState, cycle: CycleRecord, remindMs: number, now: Date, where: string): Message[] {
  const at = now.toISOString();
  const messages: Message[] = [];
  for (const [key, { healthy, detail }] of healthByKey(cycle)) {
    const was = next.keys[key];
    if (!healthy && was?.state !== 'unhealthy') {
      next.keys[key] = { state: 'unhealthy', since: at, lastSentAt: at, detail };
      messages.push({ kind: 'unhealthy', key, type: 'failure', title: `claudeops: ${key} is unhealthy`, body: `${detail}\nSince ${at}.\n${where}` });
    } else if (!healthy && was && (!was.lastSentAt || now.getTime() - Date.parse(was.lastSentAt) >= remindMs)) {
      Object.assign(was, { lastSentAt: at, detail });
      messages.push({ kind: 'reminder', key, type: 'failure', title: `claudeops: ${key} is still unhealthy`, body: `${detail}\nUnhealthy since ${was.since}.\n${where}` });
    } else if (healthy && was?.state === 'unhealthy') {
      next.keys[key] = { state: 'healthy', since: at };
      messages.push({ kind: 'resolved', key, type: 'success', title: `claudeops: ${key} resolved`, body: `${detail}\nIt was unhealthy since ${was.since}.\n${where}` });
    } else if (healthy) {
      next.keys[key] = { state: 'healthy', since: was?.since ?? at };
    }
  }
  return messages;
}

/** Remediations a tier reports as performed; dry-run and skipped ones are not news. */
function remediationMessages(cycle: CycleRecord, resultsDir: string): Message[] {
  return cycle.tiers.flatMap((run) =>
    (run.verdict?.remediations ?? [])
      .filter((r) => r.outcome === 'succeeded' || r.outcome === 'failed')
      .map((r): Message => ({
        kind: 'remediation',
        key: r.service,
        type: r.outcome === 'succeeded' ? 'info' : 'warning',
        title: `claudeops: ${r.action} of ${r.service} ${r.outcome}`,
        body: `Tier ${run.tier} (${run.model}) ran a ${r.action} of ${r.service}: ${r.outcome}.${r.detail ? `\n${r.detail}` : ''}\nLog: ${path.join(resultsDir, run.logFile)}`,
      })),
  );
}

/** The daemon's own trouble: N failed cycles in a row (and their end), and an auth failure at its first occurrence. */
function daemonMessages(next: NotifyState, cycle: CycleRecord, threshold: number, where: string): Message[] {
  const messages: Message[] = [];
  const failed = cycle.status === 'failed';
  const before = next.failedCycles;
  next.failedCycles = failed ? before + 1 : 0;
  const last = cycle.tiers[cycle.tiers.length - 1];
  if (failed && next.failedCycles === threshold) {
    messages.push({ kind: 'daemon', key: DAEMON_KEY, type: 'failure', title: `claudeops: ${threshold} cycles in a row failed`, body: `The last failed with ${last?.exitClass ?? 'no run'}: ${last?.error ?? cycle.summary}\n${where}` });
  } else if (!failed && before >= threshold) {
    messages.push({ kind: 'resolved', key: DAEMON_KEY, type: 'success', title: 'claudeops: cycles succeed again', body: `After ${before} failed cycles, this one reached a verdict.\n${where}` });
  }
  const auth = cycle.tiers.find((r) => r.exitClass === 'auth');
  if (auth && before === 0) messages.push({ kind: 'auth', key: DAEMON_KEY, type: 'failure', title: 'claudeops: the API refused its credentials', body: `${auth.error}\n${where}` });
  return messages;
}

/** The verdict's checks by service (or check name): unhealthy when any of its checks is. */
function healthByKey(cycle: CycleRecord): Map<string, { healthy: boolean; detail: string }> {
  const verdict = [...cycle.tiers].reverse().find((r) => r.verdict)?.verdict;
  const out = new Map<string, { healthy: boolean; detail: string }>();
  if (!verdict) return out;
  const checks = verdict.checks ?? [];
  if (checks.length === 0) {
    out.set('infrastructure', { healthy: verdict.status === 'healthy', detail: verdict.summary });
    return out;
  }
  for (const c of checks) {
    if (c.status === 'unknown') continue;
    const key = c.service ?? c.name;
    const healthy = c.status !== 'unhealthy';
    const prev = out.get(key);
    const line = `${c.name}: ${c.status}${c.detail ? ` (${c.detail})` : ''}`;
    if (!prev) out.set(key, { healthy, detail: line });
    else out.set(key, { healthy: prev.healthy && healthy, detail: prev.healthy && !healthy ? line : prev.detail });
  }
  return out;
}
