// The shape of a story line, shared by what writes stories and what reads them back.

/** HH:MM:SS in UTC, the time column of a story line. */
export const clock = (d = new Date()) => d.toISOString().slice(11, 19);

/** The kind column of a timed story line (tool, says, result, VERDICT, …); undefined for header and frame lines. */
export const storyKind = (line: string): string | undefined => /^\d\d:\d\d:\d\d\s+(\S+)/.exec(line)?.[1];

/** A text on one line of at most `width` characters, cut with an ellipsis. */
export function oneLine(s: string, width: number): string {
  const flat = (s.length > width * 4 ? s.slice(0, width * 4) : s).replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
