import { oneLine } from '../stream/story-line.js';
import { clock } from '../stream/story-line.js';
import { shown } from '../approval/display.js';
import type { Proposal } from '../store/records.js';

// An approved proposal's run told like a tier's: one `===` header line, then timed
// lines whose second column is their kind (proposal, sandbox, run, output, stderr,
// egress, exit, stop, cleanup), then one `--- end` line. Every line stands alone, so
// each becomes one record of its kind in the daemon's JSON log.

const OUTPUT_WIDTH = 500;

export const storyHeader = (p: Proposal, started: Date): string =>
  `=== claudeops approved proposal ${p.id} · ${p.action} of ${shown(p.service)} · ${started.toISOString()} ===`;

/** One timed line; `text` is made one line, so no part of it reads as a line of its own. */
export const storyLine = (kind: string, text: string, now: Date): string =>
  `${clock(now)} ${kind.padEnd(8)} ${shown(text)}`;

/** A command's output, one timed line per non-blank line. */
export const outputLines = (kind: 'output' | 'stderr', text: string, now: Date): string[] =>
  text
    .split('\n')
    .map((l) => oneLine(l, OUTPUT_WIDTH))
    .filter(Boolean)
    .map((l) => storyLine(kind, l, now));

export const storyFooter = (o: { error?: string; ran: number; of: number; ms: number }): string =>
  `--- end · ${o.error === undefined ? 'ok' : `FAILED: ${oneLine(o.error, OUTPUT_WIDTH)}`} · ${o.ran}/${o.of} command(s) run · ${(o.ms / 1000).toFixed(1)} s`;
