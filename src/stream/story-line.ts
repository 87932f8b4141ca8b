// The shape of a story line, shared by what writes stories and what reads them back.

/** HH:MM:SS in UTC, the time column of a story line. */
export const clock = (d = new Date()) => d.toISOString().slice(11, 19);

/** The kind column of a timed story line (tool, says, result, VERDICT, …); undefined for header and frame lines. */
export const storyKind = (line: string): string | undefined => /^\d\d:\d\d:\d\d\s+(\S+)/.exec(line)?.[1];
