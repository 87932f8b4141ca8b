// Model-written text (a proposal's commands, why, expected, rollback, service, action)
// as a human is shown it, on the console and in notifications: nothing in it may hide
// another part of it. Control, bidi and invisible characters are named, and a long run
// of whitespace, which could push the rest of a command out of view, is collapsed and
// counted. Escaping for HTML stays the page's job.

/** Whitespace: a run longer than LONG_RUN is collapsed into one space and a count. */
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LONG_RUN = 3;
const RUN = new RegExp(`[${WS}]{${LONG_RUN + 1},}`, 'gu');

/**
 * Shown by name: control characters (C0, DEL, C1), format characters (bidi controls
 * U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C; zero-width U+200B–U+200D,
 * U+2060, U+FEFF; soft hyphen, tags...), lone surrogates, whitespace other than a plain
 * space or newline, and blank-looking letters (Hangul fillers, braille blank).
 */
// The class lists combining marks on purpose: each is a character to make visible.
const HIDDEN =
  // eslint-disable-next-line no-misleading-character-class
  /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u0085\u00a0\u034f\u115f\u1160\u1680\u180e\u2000-\u200a\u202f\u205f\u2800\u3000\u3164\uffa0]/gu;

const codePoint = (c: string): string => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;

function counted(run: string): string {
  const newlines = run.split('\n').length - 1;
  const what = /^ +$/.test(run)
    ? 'spaces'
    : newlines
      ? `whitespace, ${newlines} newline${newlines === 1 ? '' : 's'}`
      : 'whitespace';
  return ` ⟨…${run.length} ${what}⟩`;
}

/**
 * Model-written text, made safe to show: every character that could hide or reorder
 * what is shown becomes visible (`<U+202E>`), a newline is `⏎` (so each field is one
 * line), and a run of more than three whitespace characters is one space and a marker
 * such as `⟨…300 spaces⟩`.
 */
export function shown(text: string): string {
  return String(text).replace(RUN, counted).replace(/\n/g, '⏎').replace(HIDDEN, codePoint);
}
