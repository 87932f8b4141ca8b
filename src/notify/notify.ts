import path from 'node:path';
import type { Config } from '../config/config.js';
import type { CheckState } from '../store/records.js';
import { judged, type CycleRecord } from '../record/cycle-record.js';
import { summaryName } from '../store/layout.js';
import type { NotifyState } from '../store/records.js';
import type { MessageType } from './apprise.js';
import type { Linker } from '../approval/links.js';
import { emptyHolds, type Holds } from '../store/records.js';
import { acknowledged, heldBecause, maintenanceUntil } from './hold.js';
import { shown } from '../approval/display.js';

export interface Message {
  kind:
    | 'unhealthy'
    | 'reminder'
    | 'resolved'
    | 'remediation'
    | 'daemon'
    | 'auth'
    | 'budget'
    | 'approval'
    | 'approval_outcome';
  /** What the message is about: a service, a check, or the daemon itself. */
  key: string;
  type: MessageType;
  title: string;
  body: string;
}

const DAEMON_KEY = 'claudeops';

/** What holds notifications back, and how to link to actions from them. */
export interface NotifyExtras {
  holds?: Holds;
  /** Signed links; absent when there is no URL to reach the console at. */
  links?: Linker;
}

/**
 * Decides what to tell operators about a cycle, deduplicated per check: a check whose
 * state (after its thresholds) went unhealthy is told once, reminded after `remindMs`
 * while it stays so, and told "resolved" only when it was judged good again, never
 * because it went unreported. An acknowledged check gets no reminders; a silenced
 * check, and every check in a maintenance window, is held: what went unhealthy then
 * is told when the hold ends, if it still is. Proposals waiting for a human,
 * remediations, repeated failed cycles and auth failures are told too.
 */
export function planNotifications(
  prev: NotifyState,
  cycle: CycleRecord,
  checks: CheckState,
  config: Config,
  now = new Date(),
  extras: NotifyExtras = {},
): { messages: Message[]; next: NotifyState } {
  const next: NotifyState = {
    ...structuredClone(prev),
    keys: Object.assign(Object.create(null), structuredClone(prev.keys)),
  };
  const where = whereToRead(config, cycle.id, cycle.tiers[cycle.tiers.length - 1]?.logFile);
  if (cycle.status === 'skipped') return { messages: budgetMessages(next, cycle, now), next };
  const maintenance = maintenanceUntil(config.notify.maintenance, now);
  const hold = { holds: extras.holds ?? emptyHolds(), maintenance, links: extras.links };
  const messages = [
    ...checkMessages(next, cycle, checks, config.notify.remindMs, now, where, hold),
    ...proposalMessages(cycle, extras.links),
    ...(judged(cycle.status) && !maintenance ? remediationMessages(cycle, config) : []),
    ...daemonMessages(next, cycle, config.notify.failures, where),
    ...mcpMessages(next, cycle, config.notify.failures, where),
  ];
  return { messages, next };
}

/** An MCP server that fails to start N cycles in a row is told once, and again when it is back. */
function mcpMessages(next: NotifyState, cycle: CycleRecord, threshold: number, where: string): Message[] {
  const seen: Record<string, boolean> = Object.create(null);
  for (const run of cycle.tiers)
    for (const [server, status] of Object.entries(run.mcpStatus ?? {}))
      seen[server] = (seen[server] ?? true) && status === 'connected';
  const state = (next.mcp = Object.assign(Object.create(null), next.mcp));
  const messages: Message[] = [];
  for (const [server, up] of Object.entries(seen)) {
    const was = state[server] ?? { failing: 0, told: false };
    const source = cycle.mcpSources?.[server] ?? 'unknown source';
    if (up) {
      if (was.told)
        messages.push({
          kind: 'resolved',
          key: `mcp:${server}`,
          type: 'success',
          title: `claudeops: MCP server ${server} is back`,
          body: `It connected again after ${was.failing} failed cycle(s).\n${where}`,
        });
      delete state[server];
      continue;
    }
    const now = { failing: was.failing + 1, told: was.told };
    if (now.failing >= threshold && !now.told) {
      now.told = true;
      messages.push({
        kind: 'daemon',
        key: `mcp:${server}`,
        type: 'failure',
        title: `claudeops: MCP server ${server} fails to start`,
        body: `"${server}" (from ${source}) did not connect in ${now.failing} cycles in a row; its tools are unavailable to the agent. Run claudeops validate to see why.\n${where}`,
      });
    }
    state[server] = now;
  }
  return messages;
}

function budgetMessages(next: NotifyState, cycle: CycleRecord, now: Date): Message[] {
  const today = now.toISOString().slice(0, 10);
  if (next.budgetNoticeDay === today) return [];
  next.budgetNoticeDay = today;
  return [
    {
      kind: 'budget',
      key: DAEMON_KEY,
      type: 'warning',
      title: 'claudeops: daily budget reached, cycles paused',
      body: cycle.skippedReason ?? cycle.summary,
    },
  ];
}

interface Hold {
  holds: Holds;
  maintenance?: Date;
  links?: Linker;
}

/** What a check's messages are decided from, besides the cycle. */
interface Telling {
  /** The notify state as this cycle leaves it; each message updates it. */
  next: NotifyState;
  now: Date;
  /** Where an operator reads more. */
  where: string;
  hold: Hold;
}

function checkMessages(
  next: NotifyState,
  cycle: CycleRecord,
  checks: CheckState,
  remindMs: number,
  now: Date,
  where: string,
  hold: Hold,
): Message[] {
  const t: Telling = { next, now, where, hold };
  const changed = new Set(cycle.checkChanges.map((c) => c.id));
  return [
    ...cycle.checkChanges.flatMap((c) => transitionMessage(t, c) ?? []),
    ...cycle.checks.flatMap((r) => (changed.has(r.id) ? [] : (reminder(t, r, checks, remindMs) ?? []))),
  ];
}

/** A check that went unhealthy is told, unless held; one that recovered is told resolved, if it was told unhealthy. */
function transitionMessage(t: Telling, c: CycleRecord['checkChanges'][number]): Message | undefined {
  const at = t.now.toISOString();
  const was = t.next.keys[c.id];
  const held = heldBecause(c.id, t.hold.holds, t.hold.maintenance, t.now);
  if (c.to === 'unhealthy') {
    t.next.keys[c.id] = held
      ? { state: 'unhealthy', since: c.since, detail: c.detail, held: true }
      : { state: 'unhealthy', since: c.since, lastSentAt: at, detail: c.detail };
    return held ? undefined : unhealthyMessage(t, c.id, label(c), c.detail, c.since);
  }
  if (was?.state !== 'unhealthy') return undefined;
  t.next.keys[c.id] = { state: 'healthy', since: at };
  // Told unhealthy, told resolved, even in a hold; never told, never resolved.
  if (was.held) return undefined;
  return {
    kind: 'resolved',
    key: c.id,
    type: 'success',
    title: `claudeops: ${label(c)} resolved`,
    body: `${c.to}${c.detail ? `: ${c.detail}` : ''}\nIt was unhealthy since ${was.since}.\nCheck ${c.id}.\n${t.where}`,
  };
}

/**
 * A check that stays unhealthy: told now if it went unhealthy during a hold that has
 * ended; otherwise reminded every `remindMs`, unless acknowledged or held.
 */
function reminder(
  t: Telling,
  r: CycleRecord['checks'][number],
  checks: CheckState,
  remindMs: number,
): Message | undefined {
  const at = t.now.toISOString();
  const was = t.next.keys[r.id];
  const state = checks.checks[r.id];
  if (r.invented || r.status === 'unknown' || !was || was.state !== 'unhealthy' || state?.status !== 'unhealthy')
    return undefined;
  if (heldBecause(r.id, t.hold.holds, t.hold.maintenance, t.now)) return undefined;
  const name = label({ title: state.title, services: state.services });
  if (was.held) {
    Object.assign(was, { lastSentAt: at, detail: r.detail, held: undefined });
    return unhealthyMessage(t, r.id, name, r.detail, was.since);
  }
  if (acknowledged(r.id, was.since, t.hold.holds)) return undefined;
  if (was.lastSentAt && t.now.getTime() - Date.parse(was.lastSentAt) < remindMs) return undefined;
  Object.assign(was, { lastSentAt: at, detail: r.detail });
  return {
    kind: 'reminder',
    key: r.id,
    type: 'failure',
    title: `claudeops: ${name} is still unhealthy`,
    body: `${r.detail ?? 'no detail'}\nUnhealthy since ${was.since}.\nCheck ${r.id}.\n${t.where}${holdActions(t.hold, r.id, was.since)}`,
  };
}

function unhealthyMessage(t: Telling, id: string, title: string, detail: string | undefined, since: string): Message {
  return {
    kind: 'unhealthy',
    key: id,
    type: 'failure',
    title: `claudeops: ${title} is unhealthy`,
    body: `${detail ?? 'no detail'}\nSince ${since}.\nCheck ${id}.\n${t.where}${holdActions(t.hold, id, since)}`,
  };
}

/** The acknowledge and silence links of a check's episode, when there are links. */
function holdActions(hold: Hold, id: string, since: string): string {
  if (!hold.links) return '';
  const l = hold.links.forCheck(id, since);
  return `\nAcknowledge (no reminders until it resolves): ${l.ack}\nSilence 4 h: ${l.silence}`;
}

/** How each line of model-written text begins in a message, so none can pass for one of ours (a link line above all). */
export const QUOTE = '│ ';

/**
 * Each proposal the cycle parked, with its approve and deny links. The links come
 * first, in the daemon's own words; what the model wrote follows, each line quoted and
 * made visible (shown), so a "line" of it cannot pass for a link of ours or hide a command.
 */
function proposalMessages(cycle: CycleRecord, links: Linker | undefined): Message[] {
  return (cycle.proposals ?? []).map((p) => {
    const l = links?.forProposal(p);
    const decide = l
      ? [`Approve: ${l.approve}`, `Deny: ${l.deny}`]
      : ["Decide on the console's Approvals page (CLAUDEOPS_PUBLIC_URL is unset, so this message carries no links)."];
    const quoted = [
      `Service: ${shown(p.service)}`,
      `Action: ${shown(p.action)}`,
      ...p.commands.map((c) => `$ ${shown(c)}`),
      `Why: ${shown(p.why)}`,
      `Expected: ${shown(p.expected)}`,
      `Rollback: ${shown(p.rollback)}`,
    ].map((line) => `${QUOTE}${line}`);
    return {
      kind: 'approval',
      key: p.id,
      type: 'warning',
      title: `claudeops: approve the ${shown(p.action)} of ${shown(p.service)}?`,
      body: [
        `Proposal ${p.id}. Tier ${p.tier} proposes, and waits for a human until ${p.expiresAt}.`,
        ...decide,
        'What it proposes, as the model wrote it (quoted):',
        ...quoted,
      ].join('\n'),
    };
  });
}

const label = (c: { title: string; services: string[] }): string =>
  c.services.length ? `${c.services.join(', ')} (${c.title})` : c.title;

/**
 * Where an operator reads more: the cycle's console page when CLAUDEOPS_PUBLIC_URL says
 * where operators reach the console; otherwise the log's path on the daemon's host (the
 * default 127.0.0.1 URL would not open from where a notification is read).
 */
export function whereToRead(
  config: Pick<Config, 'env' | 'http' | 'approval' | 'resultsDir'>,
  cycleId: string,
  logFile: string | undefined,
): string {
  const base = config.env.CLAUDEOPS_PUBLIC_URL && config.http.port !== 'off' ? config.approval.publicUrl : undefined;
  if (base) return `Cycle: ${base}/cycles/${encodeURIComponent(cycleId)}`;
  return `Log: ${path.join(config.resultsDir, logFile ?? summaryName(cycleId))}`;
}

/** Remediations a tier reports as performed; dry-run and skipped ones are not news. */
function remediationMessages(cycle: CycleRecord, config: Config): Message[] {
  return cycle.tiers.flatMap((run) =>
    (run.verdict?.remediations ?? [])
      .filter((r) => r.outcome === 'succeeded' || r.outcome === 'failed')
      .map((r): Message => ({
        kind: 'remediation',
        key: r.service,
        type: r.outcome === 'succeeded' ? 'info' : 'warning',
        title: `claudeops: ${r.action} of ${r.service} ${r.outcome}`,
        body: `Tier ${run.tier} (${run.model}) ran a ${r.action} of ${r.service}: ${r.outcome}.${r.detail ? `\n${r.detail}` : ''}\n${whereToRead(config, cycle.id, run.logFile)}`,
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
    messages.push({
      kind: 'daemon',
      key: DAEMON_KEY,
      type: 'failure',
      title: `claudeops: ${threshold} cycles in a row failed`,
      body: `The last failed with ${last?.exitClass ?? 'no run'}: ${last?.error ?? cycle.summary}\n${where}`,
    });
  } else if (!failed && before >= threshold) {
    messages.push({
      kind: 'resolved',
      key: DAEMON_KEY,
      type: 'success',
      title: 'claudeops: cycles succeed again',
      body: `After ${before} failed cycles, this one reached a verdict.\n${where}`,
    });
  }
  if (cycle.remediationBlocked && !next.stateBlockedSince) {
    next.stateBlockedSince = new Date().toISOString();
    messages.push({
      kind: 'daemon',
      key: DAEMON_KEY,
      type: 'failure',
      title: 'claudeops: remediation paused, the state cannot be saved',
      body: `${cycle.remediationBlocked}\nTier 1 still runs and reports.\n${where}`,
    });
  } else if (!cycle.remediationBlocked && next.stateBlockedSince && cycle.status !== 'skipped') {
    messages.push({
      kind: 'resolved',
      key: DAEMON_KEY,
      type: 'success',
      title: 'claudeops: the state is saved again, remediation resumes',
      body: `Remediation was paused since ${next.stateBlockedSince}.\n${where}`,
    });
    delete next.stateBlockedSince;
  }
  const auth = cycle.tiers.find((r) => r.exitClass === 'auth');
  if (auth && before === 0)
    messages.push({
      kind: 'auth',
      key: DAEMON_KEY,
      type: 'failure',
      title: 'claudeops: the API refused its credentials',
      body: `${auth.error}\n${where}`,
    });
  return messages;
}
