import path from 'node:path';

/** A time in a file name: an ISO time without its colons and dot. */
const fileStamp = (at: Date): string => at.toISOString().replace(/[:.]/g, '');

/** `run-YYYYMMDD-HHMMSS` in UTC: the start of a cycle's id. */
export const cycleStampBase = (now: Date): string =>
  `run-${now.toISOString().slice(0, 19).replace(/-/g, '').replace('T', '-').replace(/:/g, '')}`;
/** The n-th candidate id for cycles that start in one second: a suffix keeps them apart. */
export const cycleStampCandidate = (base: string, n: number): string => (n === 1 ? base : `${base}-${n}`);
/** Whether a string is shaped like a cycle id (one the store may turn into a file name). */
export const isCycleId = (id: string): boolean => /^run-[\d-]+$/.test(id);

/** Every name in the results and state directories; nothing else spells them. */
export const summaryName = (id: string): string => `${id}.json`;
export const tierRunBase = (id: string, tier: number): string => `${id}-tier${tier}`;
/** A tier run's human story, beside its raw events. */
export const runLogName = (base: string): string => `${base}.log`;
/** A tier run's raw events, one JSON object a line, as the CLI printed them. */
export const runEventsName = (base: string): string => `${base}.jsonl`;
export const runFileName = (base: string, kind: 'log' | 'jsonl'): string =>
  kind === 'log' ? runLogName(base) : runEventsName(base);
/** One of several tier-1 sessions of a cycle; the tier's own log then indexes them. */
export const shardRunBase = (id: string, tier: number, shard: number): string =>
  `${tierRunBase(id, tier)}-shard${shard}`;
/** The files of one tier run, or of one shard of tier 1, are named after this. */
export const runBase = (run: { id: string; tier: number; shard?: number }): string =>
  run.shard === undefined ? tierRunBase(run.id, run.tier) : shardRunBase(run.id, run.tier, run.shard);
/** The receipt ledger in the results directory (rotated files are receipts.<n>.ndjson). */
export const LEDGER = 'receipts.ndjson';
/** The n-th rotated ledger file; names sort in chain order. */
export const rotatedLedgerName = (n: number): string => `receipts.${String(n).padStart(6, '0')}.ndjson`;
export const isRotatedLedger = (name: string): boolean => /^receipts\.\d{6}\.ndjson$/.test(name);
/** Where a torn last line of the ledger is kept, beside it, when it is cut off. */
export const tornLedgerName = (at: Date): string => `${LEDGER}.torn-${fileStamp(at)}`;
/** One daemon per results directory: a second writer would sign the ledger with another key. */
export const RESULTS_LOCK = 'claudeops.lock';

export const STATE = {
  /** The ledger's MAC key; the agent's sandbox may not read it. */
  ledgerKey: 'ledger.key',
  /** The ledger's last seq and hash, where losing the results directory cannot take it. */
  ledgerAnchor: 'ledger.anchor',
  /** One daemon per state directory. */
  lock: 'claudeops.lock',
  cooldown: 'cooldown.json',
  checks: 'checks.json',
  notify: 'notify.json',
  spend: 'spend.json',
  mcpMerged: 'mcp.merged.json',
  /** Proposals waiting for a human, and what became of them. */
  approvals: 'approvals.json',
  /** Acknowledged and silenced checks. */
  holds: 'holds.json',
  /** The notes earlier cycles left about checks and services. */
  memory: 'memory.json',
  /** The key that signs links in notifications, unless CLAUDEOPS_APPROVAL_SECRET is set; the agent's sandbox may not read it. */
  linkKey: 'links.key',
} as const;

/** Where a corrupt state file is moved aside, beside it. */
export const corruptName = (name: string, at: Date): string => `${name}.corrupt-${fileStamp(at)}`;
/** Where Claude Ops' cooldown file is kept once converted: the plain name, else a stamped one. */
export const claudeOpsOriginalNames = (name: string, at: Date): string[] => {
  const base = name.replace(/\.json$/, '');
  return [`${base}.claude-ops.json`, `${base}.claude-ops-${fileStamp(at)}.json`];
};
/** A write's temporary, beside the file it replaces; one left by a crash is removed when the file is next loaded. */
export const temporaryName = (name: string, unique: string): string => `${name}.${unique}.tmp`;
export const isTemporaryOf = (name: string, candidate: string): boolean =>
  candidate.startsWith(`${name}.`) && candidate.endsWith('.tmp');
/** The probe written (and removed) to tell whether a directory can take a write. */
export const writeProbeName = (unique: string): string => `.write-probe.${unique}`;

/** The MCP servers every run gets, in the app directory; repos add theirs in `.claude-ops/mcp.json`. */
export const baselineMcpFile = (appDir: string): string => path.join(appDir, '.claude', 'mcp.json');

/** The story of one approved proposal's execution, in the results directory. */
export const approvalLogName = (id: string): string => `approval-${id}.log`;
export const isApprovalLog = (name: string): boolean => /^approval-p-[0-9A-Za-z_-]+\.log$/.test(name);

/** The log a proposal's execution is written to; a log is opened for no other id (an id must never be a path). */
export function approvalLogToWrite(id: string): string {
  const name = approvalLogName(id);
  if (!isApprovalLog(name)) throw new Error(`"${id}" is no proposal id the daemon makes; no log is opened for it`);
  return name;
}

const RUN_FILE = /^run-(\d{4})(\d{2})(\d{2})-(\d{6})(?:-(\d+))?(-tier\d(?:-shard\d+)?)?\.(log|jsonl|json)$/;

export interface RunFile {
  /** Midnight UTC of the day the cycle started, in ms. */
  day: number;
  /** Sorts like the cycles' order in time. */
  order: string;
  /** The cycle summary, rather than a tier run's log or events. */
  summary: boolean;
}

/** What a name in the results directory says, when it is one of the files named after a cycle id. */
export function parseRunFile(name: string): RunFile | undefined {
  const m = RUN_FILE.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, time, n, tier, ext] = m;
  return {
    day: Date.UTC(Number(y), Number(mo) - 1, Number(d)),
    order: `${y}${mo}${d}-${time}-${(n ?? '1').padStart(6, '0')}`,
    summary: !tier && ext === 'json',
  };
}

/** Orders run file names by time, with `-2`, `-3` after the first cycle of the same second. */
export function compareStamps(a: string, b: string): number {
  const [ka, kb] = [parseRunFile(a)?.order ?? a, parseRunFile(b)?.order ?? b];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
