import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { storyKind } from '../stream/story-line.js';
import type { Redactor } from './redactor.js';

export type { Logger };

/** Standard output, shared by the daemon log and the run stories so their lines never tear. */
const stdout = pino.destination({ dest: 1, sync: true });

export const writeStdout = (text: string): void => {
  stdout.write(text);
};

/**
 * The daemon's log on stdout, with every secret value redacted: pino JSON with level
 * names, or, on a terminal, pino-pretty in the same thread, so its lines and the run
 * stories keep their order.
 */
export function createLogger(options: { level: string; pretty: boolean; redactor: Redactor }): Logger {
  const { redactor } = options;
  const base = {
    level: options.level,
    base: { name: 'claudeops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    hooks: { streamWrite: (s: string) => redactor.redact(s) },
  };
  if (!options.pretty) return pino(base, stdout);
  return pino(base, pretty({ destination: 1, sync: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss' }));
}

/** Where live story lines are published (the console's live view); the logger needs no more of it. */
export interface StoryHub {
  publish(text: string): void;
  readonly state: { readonly cycle?: string };
}

/**
 * Where run stories go besides their files: the console's live view, and stdout. Off a
 * terminal every story line becomes a JSON record like the daemon's own lines, with
 * the cycle, the tier and the line's kind (tool, says, result, VERDICT, …).
 */
export function storyWriter(
  pretty: boolean,
  live: StoryHub,
  write: (text: string) => void = writeStdout,
): (text: string) => void {
  return (text) => {
    live.publish(text);
    if (pretty) return write(text);
    const out: string[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const m = /^\[tier(\d)(?:\.(\d+))?\] (.*)$/.exec(line);
      const msg = m ? m[3]! : line;
      const kind = storyKind(msg) ?? (msg.startsWith('---') ? 'end' : 'header');
      out.push(
        JSON.stringify({
          level: 'info',
          time: new Date().toISOString(),
          name: 'claudeops',
          cycle: live.state.cycle,
          tier: m ? Number(m[1]) : undefined,
          shard: m?.[2] ? Number(m[2]) : undefined,
          kind,
          msg,
        }),
      );
    }
    if (out.length) write(`${out.join('\n')}\n`);
  };
}
