import type { Config } from '../config/config.js';
import { ownership } from '../files/instance.js';
import { listRepos } from '../files/repos.js';
import { removedChecks, shownChecks, uptime, UPTIME_WINDOWS } from '../checks/check-state.js';
import type { CheckEntry } from '../store/records.js';
import { FileStore } from '../store/file-store.js';
import type { Store } from '../store/store.js';
import { auditApprovals } from '../approval/audit.js';

const DEFAULT_COUNT = 10;

/** The N of `claudeops status [N]`: a whole number from 1 up, 10 when absent; otherwise what to write instead. */
export function cycleCount(arg: string | undefined): { count: number } | { error: string } {
  if (arg === undefined) return { count: DEFAULT_COUNT };
  const n = /^\d+$/.test(arg.trim()) ? Number(arg) : NaN;
  if (Number.isSafeInteger(n) && n > 0) return { count: n };
  return {
    error: `claudeops status: "${arg}" is not a number of cycles to show; give a whole number from 1 up (e.g. claudeops status 20), or none for the last ${DEFAULT_COUNT}`,
  };
}

/** `claudeops status [N]`: the last N cycles from their summaries, one line each, then every check. */
export async function status(
  config: Config,
  count: number,
  print: (line: string) => void = console.log,
): Promise<number> {
  const store = new FileStore(config.resultsDir, config.stateDir, (w) => print(`note: ${w}`));
  if (config.instance.count > 1) print(`${ownership(config.instance, await listRepos(config.reposDir))}\n`);
  const { rows: newest } = await store.cycles({ limit: count });
  const records = newest.reverse();
  if (records.length === 0) {
    print(`no cycles recorded yet in ${config.resultsDir}`);
  } else {
    const rows = records.map((r) => [
      r.startedAt.replace('T', ' ').slice(0, 19),
      r.status.toUpperCase(),
      r.tiers.map((t) => `${t.tier}${t.exitClass === 'ok' ? '' : `(${t.exitClass})`}`).join('→') || '-',
      `$${r.costUsd.toFixed(4)}`,
      `${(r.durationMs / 1000).toFixed(0)}s`,
      r.summary.replace(/\s+/g, ' ').slice(0, 100),
    ]);
    table(['started (UTC)', 'status', 'tiers', 'cost', 'took', 'summary'], rows, print);
    const [today] = await store.spendByDay(1);
    print(`\n${records.length} cycle(s) shown from ${config.resultsDir}; spent today: $${today!.totalUsd.toFixed(4)}`);
  }
  await printChecks(store, print);
  return 0;
}

/** Each check's state after its thresholds, since when, its last result and its uptime. */
async function printChecks(store: Store, print: (line: string) => void): Promise<void> {
  const state = await store.checks();
  const entries = shownChecks(state);
  const removed = removedChecks(state);
  if (entries.length + removed.length === 0) return;
  const now = new Date();
  const pct = (e: CheckEntry, ms: number) => {
    const u = uptime(e, ms, now);
    return u === undefined ? '-' : `${(u * 100).toFixed(u === 1 ? 0 : 1)}%`;
  };
  const rows = entries.map(([id, e]) => {
    const last = e.last.at(-1);
    return [
      id,
      e.status.replace(/_/g, ' ').toUpperCase(),
      e.since.replace('T', ' ').slice(0, 16),
      last ? `${last.status}${last.detail ? `: ${last.detail}` : ''}`.replace(/\s+/g, ' ').slice(0, 60) : '-',
      pct(e, UPTIME_WINDOWS['24h']),
      pct(e, UPTIME_WINDOWS['7d']),
      pct(e, UPTIME_WINDOWS['30d']),
    ];
  });
  print('');
  table(['check', 'status', 'since (UTC)', 'last result', '24h', '7d', '30d'], rows, print);
  for (const [id, e] of removed)
    print(
      `removed: ${id} (${e.removed!.why}, since ${e.removed!.at.replace('T', ' ').slice(0, 16)}; was ${e.status.replace(/_/g, ' ')})`,
    );
}

/** `claudeops verify-receipts`: exit 0 when the whole chain holds, 1 naming the first broken line. */
export function verifyReceipts(config: Config, print: (line: string) => void = console.log): number {
  const store = new FileStore(config.resultsDir, config.stateDir);
  const check = store.verifyReceipts();
  if (check.kind === 'none') {
    print(
      `no receipts yet in ${config.resultsDir}: the daemon writes them as it runs cycles; run this again after one`,
    );
    return 0;
  }
  if (check.kind === 'no key') {
    print(
      `receipts UNVERIFIABLE: the ledger key ${check.keyFile} cannot be read (${check.code}); run this where the daemon's state directory is mounted`,
    );
    return 1;
  }
  const v = check.verification;
  const legacy = v.legacy ? ` (the first ${v.legacy} from before the ledger was keyed: hashed, not signed)` : '';
  if (v.ok) {
    print(`receipts OK: ${v.lines} line(s) chained and signed without a break in ${config.resultsDir}${legacy}`);
    const audit = auditApprovals(store.receipts());
    if (audit.problems.length === 0) {
      if (audit.proposals)
        print(`approvals OK: ${audit.proposals} proposal(s), every step after the one it follows from`);
      return 0;
    }
    print(`approvals BROKEN: ${audit.problems.length} problem(s):`);
    for (const p of audit.problems) print(`  - ${p}`);
    return 1;
  }
  print(`receipts BROKEN at ${v.error!.file} line ${v.error!.line}: ${v.error!.reason}`);
  print(`${v.lines} line(s) before it verified.`);
  return 1;
}

function table(head: string[], rows: string[][], print: (line: string) => void): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  print(line(head));
  for (const r of rows) print(line(r));
}
