import type { Holds, Proposal } from '../store/records.js';
import type { LinkParams } from '../approval/links.js';
import { shown } from '../approval/display.js';
import { awaitsDecision } from '../approval/pending.js';
import { html, type Html } from './html.js';
import { badge, layout, when, type Viewer } from './pages.js';
import { checkHref } from './html.js';

// Pages of approvals and holds. A link's page shows what it would do and asks for a
// confirming click: a GET never decides anything, so a link preview cannot approve.

const STATE_CLASS: Record<Proposal['state'], string> = {
  pending: 'warn',
  approved: 'ok',
  executed: 'ok',
  denied: 'unknown',
  expired: 'unknown',
};
const stateBadge = (p: Proposal): Html => html`<span class="badge ${STATE_CLASS[p.state]}">${p.state}</span>`;

// What the model wrote (commands, why, expected, rollback, service, action) is shown
// through shown(): escaped as any text, never a link, with nothing in it hidden.
function proposalDetails(p: Proposal): Html {
  return html`<p>${shown(p.action)} of <b>${shown(p.service)}</b>, proposed by tier ${p.tier} in <a href="/cycles/${p.cycle}">${p.cycle}</a> · ${stateBadge(p)} · expires ${when(p.expiresAt)}</p>
<h2>Commands the daemon would run, exactly</h2><pre class="commands">${p.commands.map((c) => `$ ${shown(c)}\n`).join('')}</pre>
<p><b>Why:</b> ${shown(p.why)}</p><p><b>Expected:</b> ${shown(p.expected)}</p><p><b>Rollback:</b> ${shown(p.rollback)}</p>
${p.decidedAt ? html`<p class="muted">Decided ${when(p.decidedAt)} by ${p.decidedBy}</p>` : ''}${p.execution ? html`<p>Executed: ${p.execution.ok ? 'ok' : `failed (${p.execution.error})`}, exit ${p.execution.exitCodes.join(', ')} · log ${p.execution.log}</p>` : ''}${p.verification ? html`<p>Verified by <a href="/cycles/${p.verification.cycle}">${p.verification.cycle}</a>: ${badge(p.verification.status)}</p>` : ''}`;
}

const hidden = (link: { params: LinkParams; sig: string }): Html =>
  html`<input type="hidden" name="a" value="${link.params.action}"><input type="hidden" name="s" value="${link.params.subject}"><input type="hidden" name="b" value="${link.params.bind}"><input type="hidden" name="exp" value="${link.params.exp}"><input type="hidden" name="sig" value="${link.sig}">`;

export function proposalLinkPage(d: {
  viewer: Viewer;
  proposal: Proposal;
  link: { params: LinkParams; sig: string };
  expired: boolean;
}): string {
  const approve = d.link.params.action === 'approve';
  const form =
    d.proposal.state !== 'pending'
      ? html`<p class="notice">This proposal was already ${d.proposal.state}; links are single-use.</p>`
      : d.expired
        ? html`<p class="notice">This link expired at ${when(new Date(d.link.params.exp * 1000).toISOString())}.</p>`
        : html`<form method="post" action="/approve">${hidden(d.link)}<button id="confirm" class="confirm${approve ? '' : ' danger'}">${approve ? 'Approve: run these commands' : 'Deny: run nothing'}</button></form>`;
  return layout(
    `${approve ? 'Approve' : 'Deny'} ${d.proposal.id}`,
    d.viewer,
    html`<h1>${approve ? 'Approve' : 'Deny'} proposal ${d.proposal.id}?</h1>${proposalDetails(d.proposal)}${form}`,
  );
}

export function holdLinkPage(d: {
  viewer: Viewer;
  link: { params: LinkParams; sig: string };
  expired: boolean;
}): string {
  const ack = d.link.params.action === 'ack';
  const check = d.link.params.subject;
  const what = ack
    ? html`Acknowledge <a href="${checkHref(check)}">${check}</a>: no reminders until it resolves (its "resolved" is still sent).`
    : html`Silence <a href="${checkHref(check)}">${check}</a> for 4 hours: nothing about it is sent until then.`;
  const form = d.expired
    ? html`<p class="notice">This link expired.</p>`
    : html`<form method="post" action="/hold">${hidden(d.link)}<button id="confirm" class="confirm">${ack ? 'Acknowledge' : 'Silence 4 h'}</button></form>`;
  return layout(
    ack ? 'Acknowledge' : 'Silence',
    d.viewer,
    html`<h1>${ack ? 'Acknowledge' : 'Silence'} ${check}?</h1><p>${what}</p>${form}`,
  );
}

export function outcomePage(d: {
  viewer: Viewer;
  ok: boolean;
  title: string;
  message: string;
  proposal?: Proposal;
}): string {
  return layout(
    d.title,
    d.viewer,
    html`<h1>${d.title}</h1><p id="outcome" class="${d.ok ? 'notice' : 'bad-text'}">${d.message}</p>${d.proposal ? proposalDetails(d.proposal) : ''}<p><a href="/approvals">All approvals</a></p>`,
  );
}

export function approvalsPage(d: {
  viewer: Viewer;
  proposals: Proposal[];
  holds: Holds;
  maintenanceUntil?: Date;
  now: Date;
  notice?: string;
}): string {
  const pending = d.proposals.filter((p) => awaitsDecision(p, d.now));
  const recent = d.proposals.filter((p) => !pending.includes(p)).slice(0, 50);
  const buttons = (p: Proposal): Html =>
    d.viewer.actor
      ? html`<div class="actions">${(['approve', 'deny'] as const).map((verb) => html`<form method="post" action="/actions/approve"><input type="hidden" name="csrf" value="${d.viewer.csrf}"><input type="hidden" name="id" value="${p.id}"><input type="hidden" name="h" value="${p.hash}"><input type="hidden" name="verb" value="${verb}"><button class="${verb === 'deny' ? 'danger' : ''}">${verb === 'approve' ? 'Approve' : 'Deny'}</button></form>`)}</div>`
      : html`<p class="muted">Log in to decide here, or use the links in the notification.</p>`;
  const acks = Object.entries(d.holds.acks);
  const silences = Object.entries(d.holds.silences).filter(([, s]) => Date.parse(s.until) > d.now.getTime());
  return layout(
    'Approvals',
    d.viewer,
    html`${d.notice ? html`<p class="notice">${d.notice}</p>` : ''}<h1>Approvals</h1>
<h2>Waiting for a human</h2>${pending.length ? pending.map((p) => html`<section class="card" id="${p.id}"><h3>${p.id}</h3>${proposalDetails(p)}${buttons(p)}</section>`) : html`<p>Nothing waits for approval.</p>`}
<h2>Held notifications</h2>${d.maintenanceUntil ? html`<p class="notice">Maintenance window: notifications are held until ${when(d.maintenanceUntil.toISOString())}.</p>` : ''}
${acks.length || silences.length ? html`<table><thead><tr><th>Check</th><th>Held</th><th>Until</th><th>By</th></tr></thead><tbody>${acks.map(([id, a]) => html`<tr><td><a href="${checkHref(id)}">${id}</a></td><td>acknowledged</td><td>it resolves (episode since ${when(a.since)})</td><td>${a.by}, ${when(a.at)}</td></tr>`)}${silences.map(([id, s]) => html`<tr><td><a href="${checkHref(id)}">${id}</a></td><td>silenced</td><td>${when(s.until)}</td><td>${s.by}, ${when(s.at)}</td></tr>`)}</tbody></table>` : html`<p>No check is acknowledged or silenced.</p>`}
<h2>Decided</h2>${recent.length ? html`<table><thead><tr><th>Proposal</th><th>Action</th><th>State</th><th>Decided</th><th>Verified</th></tr></thead><tbody>${recent.map((p) => html`<tr><td>${p.id}<div class="muted">${p.commands.map(shown).join(' ; ')}</div></td><td>${shown(p.action)} of ${shown(p.service)}</td><td>${stateBadge(p)}</td><td>${p.decidedAt ? `${when(p.decidedAt)} by ${p.decidedBy}` : '-'}</td><td>${p.verification ? badge(p.verification.status) : '-'}</td></tr>`)}</tbody></table>` : html`<p>None yet.</p>`}`,
  );
}
