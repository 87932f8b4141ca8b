import { MAX_NOTE_TEXT } from '../memory/learn.js';
import type { Recalled } from '../memory/recall.js';
import type { Note } from '../store/records.js';
import { html, type Html } from './html.js';

const KIND_NAMES: Record<Note['kind'], string> = { finding: 'found', fix: 'fixed by', expected: 'expected' };

function noteForms(n: Recalled, viewer: { csrf?: string }, check: string): Html {
  const hidden = html`<input type="hidden" name="csrf" value="${viewer.csrf}"><input type="hidden" name="id" value="${n.id}"><input type="hidden" name="check" value="${check}">`;
  const button = (verb: string, label: string, cls = '') =>
    html`<form method="post" action="/actions/note">${hidden}<input type="hidden" name="verb" value="${verb}"><button class="${cls}">${label}</button></form>`;
  return html`<div class="actions"><form method="post" action="/actions/note" class="note-edit">${hidden}<input type="hidden" name="verb" value="edit"><input name="text" value="${n.text}" maxlength="${MAX_NOTE_TEXT}" aria-label="Note text"><button>Save</button></form>${n.pinned ? button('unpin', 'Unpin') : button('pin', 'Pin')}${button('delete', 'Delete', 'danger')}</div>`;
}

/**
 * The check page's notes: what the daemon learned from earlier cycles about the check
 * and its services, best first; an operator who may act edits, pins or deletes them.
 */
export function notesSection(
  notes: readonly Recalled[],
  viewer: { actor: boolean; csrf?: string },
  check: string,
): Html {
  if (!notes.length) return html``;
  const items = notes.map(
    (n) =>
      html`<li class="note" id="note-${n.id}"><span class="badge unknown">${KIND_NAMES[n.kind]}</span> ${n.pinned ? html`<span class="badge ok">pinned</span> ` : ''}${n.text} <span class="muted">(${n.service ?? n.check} · confidence ${n.weight.toFixed(2)}${n.confirmed ? ` · confirmed ${n.confirmed}×` : ''} · <a href="/cycles/${n.cycle}">${n.at.slice(0, 10)}</a>${n.editedAt ? ' · edited' : ''})</span>${viewer.actor ? noteForms(n, viewer, check) : ''}</li>`,
  );
  return html`<h2>What the daemon remembers</h2><p class="muted">Notes kept from earlier cycles' verdicts and given to the tiers that look at this check; a later outcome raises or lowers them, and unpinned ones fade.</p><ul class="notes">${items}</ul>`;
}
