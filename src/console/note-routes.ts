import type { HTTPVersion, Instance } from 'find-my-way';
import { editNote, type NoteChange } from '../memory/edit.js';
import { MAX_NOTE_TEXT } from '../memory/learn.js';
import { recallNotes, type Recalled } from '../memory/recall.js';
import { actingVia, clientOf } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import { checkHref } from './html.js';
import type { ActHandler, Wrap } from './guard.js';
import { redirect, send, sendJson } from './respond.js';

const VERBS = new Set(['edit', 'pin', 'unpin', 'delete']);

/** POST /actions/note: an operator edits, pins, unpins or deletes one of the notes the daemon keeps; each change is a receipt. */
export function noteRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, { act, asJson }: Wrap): void {
  router.on('POST', '/actions/note', act(changeNote(deps, asJson)));
}

/** The change a form asks for, or what is wrong with it. */
function changeOf(form: URLSearchParams): NoteChange | string {
  if (!form.get('id')) return 'id is missing: the note to change (see GET /api/v1/notes)';
  const verb = form.get('verb') ?? '';
  if (!VERBS.has(verb)) return `verb must be one of ${[...VERBS].join(', ')}`;
  if (verb !== 'edit') return { verb } as NoteChange;
  const text = (form.get('text') ?? '').trim();
  if (!text || text.length > MAX_NOTE_TEXT) return `text must be 1 to ${MAX_NOTE_TEXT} characters`;
  return { verb: 'edit', text };
}

function changeNote(deps: ConsoleDeps, asJson: Wrap['asJson']): ActHandler {
  return async (req, res, form) => {
    const refuse = (code: number, error: string) =>
      asJson(req) ? sendJson(res, code, { error }) : send(res, code, 'text/plain', `${error}\n`);
    const id = form.get('id') ?? '';
    const change = changeOf(form);
    if (typeof change === 'string') return refuse(400, change);
    let done: ReturnType<typeof editNote> | undefined;
    await deps.store.updateMemory((m) => (done = editNote(m, id, change, new Date())).memory);
    const before = done?.before;
    if (!before) return refuse(404, 'no such note');
    deps.approvals.receipt({
      kind: 'note_changed',
      verb: change.verb,
      note: id,
      ...(before.check ? { check: before.check } : {}),
      ...(before.service ? { service: before.service } : {}),
      before: before.text,
      ...(change.verb === 'edit' ? { after: change.text } : {}),
      by: `${actingVia(req, deps.config.http.consoleToken)} from ${clientOf(req)}`,
    });
    if (asJson(req)) return sendJson(res, 200, { note: done?.after ?? null });
    const check = form.get('check');
    redirect(res, check ? checkHref(check) : '/');
  };
}

/** The notes about a check and its services, best first, each with its confidence now. */
export async function shownNotes(deps: ConsoleDeps, id: string, services: string[], now: Date): Promise<Recalled[]> {
  const { state } = await deps.store.loadMemory();
  return recallNotes(state.notes, { checks: [id], services }, now, deps.config.memory.halfLifeDays);
}
