import { removedChecks, shownChecks, uptime, UPTIME_WINDOWS } from '../checks/check-state.js';
import type { CheckEntry, CheckState } from '../store/records.js';
import type { CycleRecord, CycleStatus } from '../record/cycle-record.js';
import type { Holds, Proposal } from '../store/records.js';
import { storyKind } from '../stream/story-line.js';
import type { CycleRow, DaySpend } from '../store/store.js';
import { barChart, sparkline, timeline } from './charts.js';
import { checkHref, html, raw, type Html } from './html.js';
import type { LiveState } from './live.js';
import type { Recalled } from '../memory/recall.js';
import { notesSection } from './note-pages.js';

// Server-rendered pages of the console. Everything is escaped by the html`` template;
// nothing is loaded from anywhere but the daemon.

export interface Viewer {
  /** May act: logged in or holding the token. */
  actor: boolean;
  /** The CSRF field for action forms. */
  csrf?: string;
  /** Whether a token is configured at all (actions need one). */
  tokenSet: boolean;
}

const STATUS_CLASS: Record<string, string> = {
  healthy: 'ok',
  degraded: 'warn',
  incomplete: 'warn',
  unknown: 'unknown',
  unhealthy: 'bad',
  failed: 'bad',
  interrupted: 'warn',
  skipped: 'unknown',
  not_applicable: 'unknown',
};
export const badge = (status: string): Html =>
  html`<span class="badge ${STATUS_CLASS[status] ?? 'unknown'}">${status.replace(/_/g, ' ')}</span>`;
export const when = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 19) + ' UTC' : '-');
const usd = (v: number): string => `$${v.toFixed(v < 1 ? 4 : 2)}`;
const secs = (ms: number): string => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(v * 100).toFixed(v === 1 ? 0 : 1)}%`);
/** How long ago, in the largest whole unit: "5 min", "3 h", "2 d". */
export function ago(iso: string, now: Date): string {
  const ms = Math.max(0, now.getTime() - Date.parse(iso));
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.floor(ms / 86_400_000)} d`;
}
/** A relative time, with the absolute one on hover. */
const relative = (iso: string, now: Date): Html =>
  html`<time datetime="${iso}" title="${when(iso)}">${ago(iso, now)}</time>`;
/** Problems first: unhealthy, degraded, unknown, not applicable, healthy; then by id. */
const RANK: Record<string, number> = { unhealthy: 0, degraded: 1, unknown: 2, not_applicable: 3, healthy: 4 };
export const problemsFirst = (entries: [string, CheckEntry][]): [string, CheckEntry][] =>
  [...entries].sort(([a, x], [b, y]) => (RANK[x.status] ?? 2) - (RANK[y.status] ?? 2) || (a < b ? -1 : 1));
/** The check's last results, oldest first, one mark each, linked to its cycle. */
function resultsBar(e: CheckEntry): Html {
  return html`<span class="results" aria-label="last ${e.last.length} results">${e.last.map((r) => html`<a class="r ${STATUS_CLASS[r.status] ?? 'unknown'}" href="/cycles/${r.cycle}" title="${when(r.at)}: ${r.status.replace(/_/g, ' ')}${r.detail ? ` · ${r.detail}` : ''}"></a>`)}</span>`;
}
/** "2 checks down · 1 waiting for approval", or all well. */
function banner(entries: [string, CheckEntry][], pending: number): Html {
  const down = entries.filter(([, e]) => e.status === 'unhealthy').length;
  const degraded = entries.filter(([, e]) => e.status === 'degraded').length;
  const parts = [
    down ? `${down} check${down === 1 ? '' : 's'} down` : '',
    degraded ? `${degraded} degraded` : '',
    pending ? `${pending} waiting for approval` : '',
  ].filter(Boolean);
  if (parts.length === 0)
    return entries.length
      ? html`<p class="banner ok-banner" id="banner">All ${entries.length} check(s) healthy or not applicable</p>`
      : html``;
  return html`<p class="banner ${down ? 'bad-banner' : 'warn-banner'}" id="banner">${parts.join(' · ')}${pending ? html` · <a href="/approvals">review</a>` : ''}</p>`;
}

export function layout(title: string, viewer: Viewer, body: Html, extraHead: Html = html``): string {
  const session = viewer.actor
    ? html`<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${viewer.csrf}"><button>Log out</button></form>`
    : viewer.tokenSet
      ? html`<a href="/login">Log in</a>`
      : html`<span class="muted">actions off: set CLAUDEOPS_CONSOLE_TOKEN</span>`;
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · claudeops</title><link rel="stylesheet" href="/console.css"><link rel="icon" href="/favicon.svg" type="image/svg+xml">${extraHead}</head><body><header><a class="brand" href="/">claudeops</a><nav><a href="/">Overview</a><a href="/approvals">Approvals</a><a href="/cycles">Cycles</a><a href="/live">Live</a><a href="/spend">Spend</a></nav><div class="session">${session}</div></header><main>${body}</main></body></html>`}`;
}

function actions(viewer: Viewer, running: boolean): Html {
  if (!viewer.actor) return html``;
  return html`<div class="actions"><form method="post" action="/actions/run-now"><input type="hidden" name="csrf" value="${viewer.csrf}"><button id="run-now">Run now</button></form>${running ? html`<form method="post" action="/actions/stop"><input type="hidden" name="csrf" value="${viewer.csrf}"><button id="stop" class="danger">Stop the running cycle</button></form>` : ''}</div>`;
}

/** What holds a check's notifications back, in a few words. */
function heldNote(id: string, e: CheckEntry, holds: Holds | undefined, now: Date): Html {
  const ack = e.status === 'unhealthy' && holds?.acks[id]?.since === e.since ? holds.acks[id] : undefined;
  const silence = holds?.silences[id];
  const live = silence && Date.parse(silence.until) > now.getTime();
  if (!ack && !live) return html``;
  return html`<div class="muted">${ack ? html`acknowledged by ${ack.by}` : ''}${ack && live ? ' · ' : ''}${live ? html`silenced until ${when(silence.until)}` : ''}</div>`;
}

export function overviewPage(d: {
  viewer: Viewer;
  checks: CheckState;
  holds?: Holds;
  pending?: number;
  live: LiveState;
  next?: Date;
  today: DaySpend;
  budget?: number;
  latest?: CycleRecord;
  notice?: string;
  /** Which repos this instance owns, when there are several instances. */
  instance?: string;
  now: Date;
}): string {
  const entries = shownChecks(d.checks);
  const removed = removedChecks(d.checks);
  const running = d.live.cycle
    ? html`<p>Running: <a href="/live">${d.live.cycle}</a>, tier ${d.live.tier ?? '-'}, for ${secs(d.now.getTime() - Date.parse(d.live.startedAt ?? d.now.toISOString()))}</p>`
    : html`<p>No cycle is running.</p>`;
  const rows = problemsFirst(entries).map(([id, e]) => {
    const last = e.last.at(-1);
    return html`<tr class="check ${STATUS_CLASS[e.status] ?? 'unknown'}-row" data-id="${id}"><td><a href="${checkHref(id)}">${e.title}</a>${e.severity ? html` <span class="sev">${e.severity}</span>` : ''}<div class="muted">${id}${e.services.length ? ` · ${e.services.join(', ')}` : ''}</div></td><td>${badge(e.status)}<div class="muted">for ${relative(e.since, d.now)}</div>${heldNote(id, e, d.holds, d.now)}</td><td>${resultsBar(e)}<div class="muted">${last ? html`${last.detail ?? ''}` : ''}</div></td><td>${pct(uptime(e, UPTIME_WINDOWS['24h'], d.now))}</td></tr>`;
  });
  const warnings = d.latest?.warnings ?? [];
  return layout(
    'Overview',
    d.viewer,
    html`${d.notice ? html`<p class="notice">${d.notice}</p>` : ''}<h1>Overview</h1>${banner(entries, d.pending ?? 0)}
<section class="cards"><div class="card"><h2>Now</h2>${running}<p>Next cycle: ${d.next ? when(d.next.toISOString()) : 'after the running one'}</p>${d.instance ? html`<p class="muted">${d.instance}</p>` : ''}${actions(d.viewer, !!d.live.cycle)}</div>
<div class="card"><h2>Spend today</h2><p class="big">${usd(d.today.totalUsd)}</p><p>${d.budget ? `of the daily budget of ${usd(d.budget)}` : 'no daily budget set (CLAUDEOPS_DAILY_BUDGET_USD)'}</p></div>
<div class="card"><h2>Last cycle</h2>${d.latest ? html`<p><a href="/cycles/${d.latest.id}">${d.latest.id}</a> ${badge(d.latest.status)}</p><p>${d.latest.summary}</p>` : html`<p>none yet</p>`}</div></section>
<h2>Checks</h2>${entries.length ? html`<table class="checks"><thead><tr><th>Check</th><th>Status</th><th>Last results</th><th>24 h</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No check has been judged yet.</p>`}${removed.length ? html`<p class="muted">Removed: ${removed.map(([id, e], i) => html`${i ? ', ' : ''}<a href="${checkHref(id)}">${id}</a> (${e.removed!.why})`)}</p>` : ''}
<h2>Open warnings</h2>${warnings.length ? html`<ul class="warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p>None in the last cycle.</p>`}`,
  );
}

export function cyclesPage(d: {
  viewer: Viewer;
  rows: CycleRow[];
  total: number;
  page: number;
  perPage: number;
  statuses: CycleStatus[];
  all: readonly CycleStatus[];
}): string {
  const pages = Math.max(1, Math.ceil(d.total / d.perPage));
  const q = (page: number) => `/cycles?page=${page}${d.statuses.length ? `&status=${d.statuses.join(',')}` : ''}`;
  const rows = d.rows.map(
    (r) =>
      html`<tr><td><a href="/cycles/${r.id}">${when(r.startedAt)}</a></td><td>${badge(r.status)}</td><td>${r.tiers.map((t) => `${t.tier}${t.exitClass === 'ok' ? '' : `(${t.exitClass})`}`).join(' → ')}</td><td>${usd(r.costUsd)}</td><td>${secs(r.durationMs)}</td><td>${r.trigger}</td><td>${r.summary}</td></tr>`,
  );
  const filters = d.all.map(
    (s) => html`<a class="${d.statuses.includes(s) ? 'on' : ''}" href="/cycles?status=${s}">${s}</a>`,
  );
  return layout(
    'Cycles',
    d.viewer,
    html`<h1>Cycles</h1><p class="filters">Status: <a class="${d.statuses.length ? '' : 'on'}" href="/cycles">all</a>${filters}</p>
<table><thead><tr><th>Started</th><th>Status</th><th>Tiers</th><th>Cost</th><th>Took</th><th>Trigger</th><th>Summary</th></tr></thead><tbody>${rows}</tbody></table>
<p class="pager">${d.page > 1 ? html`<a href="${q(d.page - 1)}">newer</a>` : ''} page ${d.page} of ${pages} (${d.total} cycles) ${d.page < pages ? html`<a href="${q(d.page + 1)}">older</a>` : ''}</p>`,
  );
}

export function cyclePage(d: {
  viewer: Viewer;
  cycle: CycleRecord;
  stories: Record<number, string | undefined>;
  /** The proposals this cycle parked for a human. */
  proposals: Proposal[];
}): string {
  const c = d.cycle;
  const tiers = c.tiers.map((t) => {
    const tools =
      Object.entries(t.toolsUsed ?? {})
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ') || 'none';
    const story = d.stories[t.tier];
    return html`<section class="tier"><h2>Tier ${t.tier} · ${t.model} ${badge(t.verdict?.status ?? t.exitClass)}</h2>
<p>exit class ${t.exitClass} · cost ${usd(t.costUsd)} · ${t.turns ?? 0} turns · ${secs(t.durationMs)} · tools ${tools} · <a href="/cycles/${c.id}/tier/${t.tier}/events.jsonl">raw events (.jsonl)</a></p>
${t.error ? html`<p class="bad-text">${t.error}</p>` : ''}${t.verdict ? html`<p>${t.verdict.summary}</p>` : ''}
${story ? html`<pre class="story">${storyLines(story)}</pre>` : html`<p class="muted">no story log</p>`}</section>`;
  });
  const checks = c.checks ?? [];
  const chain = [`tier 1`, ...c.escalations.map((e) => `tier ${e.to}`)].join(' → ');
  return layout(
    c.id,
    d.viewer,
    html`<h1>Cycle ${c.id} ${badge(c.status)}</h1><p>${c.summary}</p>
<p>Started ${when(c.startedAt)} · took ${secs(c.durationMs)} · cost ${usd(c.costUsd)} · trigger ${c.trigger}${c.dryRun ? ' · dry run' : ''}</p>
${c.alerts?.length ? html`<p>Started by ${c.alerts.map((a, i) => html`${i ? '; ' : ''}alert <strong>${a.name}</strong> (${a.sender}${a.startsAt ? `, since ${when(a.startsAt)}` : ''}) → ${a.checks.length ? a.checks.join(', ') : 'no check named: every check looked at'}`)}</p>` : ''}
<p>Escalation: ${chain}${c.escalationStopped ? html` · stopped: ${c.escalationStopped}` : ''}</p>
<h2>Checks</h2>${checks.length ? html`<table><thead><tr><th>Check</th><th>Status</th><th>Services</th><th>Judged by</th><th>Detail</th></tr></thead><tbody>${checks.map((r) => html`<tr><td>${r.invented ? html`${r.id} <span class="badge warn">not handed out</span>` : html`<a href="${checkHref(r.id)}">${r.title}</a>`}</td><td>${badge(r.status)}</td><td>${r.services.join(', ')}</td><td>${r.tier ? `tier ${r.tier}` : '-'}</td><td>${r.detail ?? ''}</td></tr>`)}</tbody></table>` : html`<p>No check results.</p>`}
${outcome(c, d.proposals)}
${c.warnings.length ? html`<h2>Warnings</h2><ul class="warnings">${c.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
${tiers}`,
  );
}

/** The sparkline of what its probe measured, when it measures something. */
function measured(e: CheckEntry): Html {
  const points = e.last.filter((r) => r.value !== undefined).map((r) => ({ value: r.value!, at: r.at }));
  if (points.length === 0) return html``;
  const unit = e.last.find((r) => r.value !== undefined)?.unit ?? '';
  const last = points.at(-1)!.value;
  return html`<h2>${unit === 'ms' ? 'Response time' : 'Measured value'}</h2><p class="measure">${raw(sparkline(points, unit))} <span class="muted">last ${last}${unit ? ` ${unit}` : ''} · lowest ${Math.min(...points.map((p) => p.value))} · highest ${Math.max(...points.map((p) => p.value))}</span></p>`;
}

/** What a cycle left behind: the proposals it parked, and the notifications it sent. */
function outcome(c: CycleRecord, proposals: Proposal[]): Html {
  const parked = proposals.length
    ? html`<h2>Proposals parked</h2><ul class="proposals">${proposals.map((p) => html`<li>${badge(p.state === 'pending' ? 'degraded' : p.state === 'executed' ? 'healthy' : 'unknown')} <a href="/approvals#${p.id}">${p.action} ${p.service}</a>: ${p.why} <span class="muted">(${p.state})</span></li>`)}</ul>`
    : html``;
  const sent = c.notifications.length
    ? html`<h2>Notifications</h2><ul>${c.notifications.map((n) => html`<li>${n.kind} <span class="muted">${n.key}</span> · ${n.ok ? 'sent' : html`<span class="bad-text">failed after ${n.attempts} attempt(s)${n.error ? `: ${n.error}` : ''}</span>`}</li>`)}</ul>`
    : html`<p class="muted">No notification was sent.</p>`;
  return html`${parked}${sent}`;
}

/** The story log, each line marked by its kind (tool, says, result, VERDICT, …) for styling. */
function storyLines(story: string): Html[] {
  return story
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const kind =
        storyKind(line)?.toLowerCase() ?? (line.startsWith('---') || line.startsWith('===') ? 'frame' : 'head');
      const status = /(?:VERDICT\s+|\[)(HEALTHY|DEGRADED|UNHEALTHY|UNKNOWN|NOT_APPLICABLE)\b/i.exec(line)?.[1];
      const tone = status ? ` s-${STATUS_CLASS[status.toLowerCase()] ?? 'unknown'}` : '';
      return html`<span class="k-${kind.replace(/[^a-z]/g, '')}${tone}">${line}</span>\n`;
    });
}

export function livePage(d: { viewer: Viewer; live: LiveState; backlog: readonly string[] }): string {
  return layout(
    'Live',
    d.viewer,
    html`<h1>Live</h1><p id="live-state">${d.live.cycle ? html`Cycle ${d.live.cycle}, tier ${d.live.tier ?? '-'}` : 'No cycle is running; new lines appear here when one starts.'}</p>${actions(d.viewer, !!d.live.cycle)}
<pre id="live" class="story">${d.backlog.map((l) => html`${l}\n`)}</pre>`,
    raw('<script src="/live.js" defer></script>'),
  );
}

export interface CheckPageData {
  viewer: Viewer;
  id: string;
  entry: CheckEntry;
  now: Date;
  proposals: Proposal[];
  /** What the daemon remembers of the check and its services, best first. */
  notes?: Recalled[];
  /** The findings of the tier that judged it last. */
  findings?: string | undefined;
  /** What the tiers did to its services in its recent cycles, newest first. */
  remediations?: {
    service: string;
    action: string;
    outcome: string;
    detail?: string | undefined;
    cycle: string;
    at: string;
    tier: number;
  }[];
}

export function checkPage(d: CheckPageData): string {
  const e = d.entry;
  const from = d.now.getTime() - UPTIME_WINDOWS['30d'];
  const rows = [...e.last]
    .reverse()
    .map(
      (r) =>
        html`<tr><td><a href="/cycles/${r.cycle}">${when(r.at)}</a></td><td>${badge(r.status)}</td><td>${r.tier ? `tier ${r.tier}` : '-'}</td><td>${r.detail ?? ''}</td></tr>`,
    );
  return layout(
    e.title,
    d.viewer,
    html`<h1>${e.title} ${e.removed ? badge('removed') : badge(e.status)}</h1>${e.removed ? html`<p class="notice">Removed ${when(e.removed.at)}: ${e.removed.why}. It was ${e.status.replace(/_/g, ' ')}; its history is kept for 30 days.</p>` : ''}<p class="muted">${d.id} · services ${e.services.join(', ') || '-'} · since ${when(e.since)}</p>
<p>Uptime: 24 h ${pct(uptime(e, UPTIME_WINDOWS['24h'], d.now))} · 7 d ${pct(uptime(e, UPTIME_WINDOWS['7d'], d.now))} · 30 d ${pct(uptime(e, UPTIME_WINDOWS['30d'], d.now))}</p>
<h2>30 days, by hour</h2>${raw(
      timeline(
        e.hours.map(([start, good, total]) => ({ start, good, total })),
        from,
        d.now.getTime(),
      ),
    )}
${measured(e)}
<h2>Last results</h2><table><thead><tr><th>When</th><th>Result</th><th>Judged by</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>
${d.findings ? html`<h2>The agent's last findings</h2><p class="findings">${d.findings}</p>` : ''}
${d.remediations?.length ? html`<h2>Remediations of its services</h2><ul>${d.remediations.map((m) => html`<li><a href="/cycles/${m.cycle}">${when(m.at)}</a> tier ${m.tier}: ${m.action} ${m.service} → <span class="badge ${m.outcome === 'succeeded' ? 'ok' : m.outcome === 'failed' ? 'bad' : 'unknown'}">${m.outcome}</span>${m.detail ? ` (${m.detail})` : ''}</li>`)}</ul>` : ''}
${notesSection(d.notes ?? [], d.viewer, d.id)}
${d.proposals.length ? html`<h2>Proposals for its services</h2><ul class="proposals">${d.proposals.map((p) => html`<li><a href="/approvals#${p.id}">${p.action} ${p.service}</a> (${p.state}, ${when(p.createdAt)}): ${p.why}</li>`)}</ul>` : ''}`,
  );
}

const PALETTE = ['#3b6fb6', '#e8a317', '#2e9e4f', '#b63b8f', '#6b6b6b', '#d33'];

export function spendPage(d: { viewer: Viewer; days: DaySpend[]; budget?: number }): string {
  const models = [...new Set(d.days.flatMap((x) => Object.keys(x.byModel)))].sort();
  const color = (m: string) => PALETTE[models.indexOf(m) % PALETTE.length]!;
  const chart = barChart(
    d.days.map((x) => ({
      label: x.day,
      parts: models.map((m) => ({ value: x.byModel[m] ?? 0, color: color(m), title: m })),
    })),
    { unit: usd },
  );
  const total = d.days.reduce((s, x) => s + x.totalUsd, 0);
  return layout(
    'Spend',
    d.viewer,
    html`<h1>Spend</h1><p>${usd(total)} over the last ${d.days.length} days${d.budget ? ` · daily budget ${usd(d.budget)}` : ''}</p>${raw(chart)}
<p class="legend">${models.map((m) => html`${raw(`<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${color(m)}"/></svg>`)} ${m} `)}</p>
<table><thead><tr><th>Day</th><th>Total</th>${models.map((m) => html`<th>${m}</th>`)}</tr></thead><tbody>${[...d.days]
      .reverse()
      .filter((x) => x.totalUsd > 0)
      .map(
        (x) =>
          html`<tr><td>${x.day}</td><td>${usd(x.totalUsd)}</td>${models.map((m) => html`<td>${usd(x.byModel[m] ?? 0)}</td>`)}</tr>`,
      )}</tbody></table><p class="muted">Days without spend are left out of the table.</p>`,
  );
}

export function loginPage(d: { viewer: Viewer; error?: string }): string {
  return layout(
    'Log in',
    d.viewer,
    html`<h1>Log in</h1>${d.error ? html`<p class="bad-text">${d.error}</p>` : ''}<form method="post" action="/login" class="login"><label>Console token <input type="password" name="token" autocomplete="current-password" autofocus></label><button id="login">Log in</button></form><p class="muted">The token is CLAUDEOPS_CONSOLE_TOKEN in the daemon's configuration.</p>`,
  );
}

export const CONSOLE_CSS = `
:root{color-scheme:light dark;--fg:#222;--bg:#fafafa;--card:#fff;--line:#e5e5e5;--muted:#666;--link:#1a55a8;--note:#eef6ff;--note-line:#bcd}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#15191d;--card:#1e242a;--line:#333b43;--muted:#9aa4ad;--link:#8cb8ff;--note:#1c2a3a;--note-line:#35506e}}
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:var(--fg);background:var(--bg)}a{color:var(--link)}
header{display:flex;flex-wrap:wrap;gap:.2em 1.5em;align-items:center;padding:.4em 1.2em;background:#1f2933;color:#fff}
header a{color:#fff;text-decoration:none;display:inline-block;padding:.7em .5em;min-height:40px;box-sizing:border-box}.brand{font-weight:700}.session{margin-left:auto}
header nav{display:flex;flex-wrap:wrap}header button{min-height:40px}
main{padding:1em 1.5em;max-width:1200px}
table{border-collapse:collapse;width:100%;background:var(--card)}th,td{padding:.35em .6em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.badge{display:inline-block;padding:0 .5em;border-radius:.6em;font-size:12px;color:#fff;background:#888}.ok{background:#2e9e4f}.warn{background:#c98a0e}.bad{background:#d33}.unknown{background:#888}
.muted{color:var(--muted);font-size:12px}.bad-text{color:#d33}.notice{background:var(--note);padding:.5em;border:1px solid var(--note-line)}
.banner{padding:.6em .9em;font-weight:600;border-radius:4px;color:#fff}.bad-banner{background:#c62828}.warn-banner{background:#b7791f}.ok-banner{background:#2e7d32}.banner a{color:#fff}
.sev{font-size:11px;border:1px solid var(--line);border-radius:3px;padding:0 .3em;color:var(--muted)}
.results{display:flex;gap:2px;flex-wrap:wrap;max-width:420px}.results .r{display:block;width:7px;height:22px;border-radius:2px}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:var(--card);border:1px solid var(--line);padding:.2em 1em;min-width:240px;flex:1}.big{font-size:28px;margin:.2em 0}
.actions{display:flex;flex-wrap:wrap;gap:.5em}.inline{display:inline}button{cursor:pointer;min-height:36px}.danger{color:#b00}
pre.story{background:#111;color:#ddd;padding:.8em;overflow:auto;max-height:70vh;font-size:12px}
.k-tool{color:#8cf}.k-result{color:#aaa}.k-says{color:#fff}.k-verdict{font-weight:700}.k-failed{color:#f77;font-weight:700}.k-warning,.k-stderr{color:#fc6}.k-frame{color:#999}
.s-ok{color:#7f7}.s-warn{color:#fc6}.s-bad{color:#ff7b7b;font-weight:700}.s-unknown{color:#bbb}
.filters a,.pager a{margin:0 .3em;display:inline-block;padding:.7em .3em;min-height:40px;box-sizing:border-box}.filters a.on{font-weight:700}
.warnings li{color:#b07400}.login input{margin:0 .5em}
svg.chart,svg.timeline{width:100%;max-width:720px;height:auto}svg.sparkline{width:100%;max-width:300px;height:auto;color:var(--link);vertical-align:middle}
pre.commands{background:var(--card);border:1px solid #ccc;padding:.6em;white-space:pre-wrap;overflow-wrap:anywhere}.confirm{font-size:16px;padding:.4em 1.2em}
@media (max-width:700px){main{padding:.8em}table{display:block;overflow-x:auto}th,td{padding:.3em .4em}.results{max-width:220px}.session{margin-left:0}h1{font-size:22px;overflow-wrap:anywhere}}
`;

/** The console's icon: a small status dot, served from the daemon like everything else. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f2933"/><circle cx="8" cy="8" r="4.5" fill="#2e9e4f"/></svg>';

/** The live view's script: appends each streamed line; served from the daemon, so CSP allows it. */
export const LIVE_JS = `
const pre = document.getElementById('live');
const state = document.getElementById('live-state');
const source = new EventSource('/live/events');
source.addEventListener('line', (e) => { pre.append(JSON.parse(e.data) + '\\n'); pre.scrollTop = pre.scrollHeight; });
source.addEventListener('cycle', (e) => { const s = JSON.parse(e.data); pre.textContent = ''; state.textContent = 'Cycle ' + s.cycle; });
source.addEventListener('tier', (e) => { const s = JSON.parse(e.data); state.textContent = 'Cycle ' + s.cycle + ', tier ' + s.tier; });
source.addEventListener('end', (e) => { const s = JSON.parse(e.data); state.textContent = 'Cycle ' + s.cycle + ' ended ' + s.status; state.dataset.ended = s.status; document.getElementById('stop')?.closest('form')?.remove(); });
`;
