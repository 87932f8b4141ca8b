import type { Memory, Note } from '../store/records.js';
import { MAX_NOTE_TEXT } from './learn.js';

/** What an operator may do to a note from the console. */
export type NoteChange = { verb: 'edit'; text: string } | { verb: 'pin' } | { verb: 'unpin' } | { verb: 'delete' };

/**
 * One operator change to one note. An edited note keeps its confidence and its history;
 * its text is the operator's from now on (a confirming cycle does not overwrite it).
 */
export function editNote(
  memory: Memory,
  id: string,
  change: NoteChange,
  now: Date,
): { memory: Memory; before?: Note; after?: Note } {
  const before = memory.notes.find((n) => n.id === id);
  if (!before) return { memory };
  if (change.verb === 'delete')
    return { memory: { ...memory, notes: memory.notes.filter((n) => n !== before) }, before };
  const after: Note =
    change.verb === 'edit'
      ? { ...before, text: change.text.trim().slice(0, MAX_NOTE_TEXT), editedAt: now.toISOString() }
      : { ...before, pinned: change.verb === 'pin' };
  return { memory: { ...memory, notes: memory.notes.map((n) => (n === before ? after : n)) }, before, after };
}
