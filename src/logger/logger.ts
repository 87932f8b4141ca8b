import pino, { type Logger } from 'pino';
import type { Redactor } from './redactor.js';

export type { Logger };

/** Standard output, shared by the daemon log and the run stories so their lines never tear. */
const stdout = pino.destination({ dest: 1, sync: true });

export const writeStdout = (text: string): void => {
  stdout.write(text);
};

/** The daemon's log: pino JSON on stdout (pretty on request), with every secret value redacted. */
export function createLogger(options: { level: string; pretty: boolean; redactor: Redactor }): Logger {
  const { redactor } = options;
  const base = {
    level: options.level,
    base: { name: 'claudeops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: { streamWrite: (s: string) => redactor.redact(s) },
  };
  if (!options.pretty) return pino(base, stdout);
  return pino({
    ...base,
    transport: { target: 'pino-pretty', options: { destination: 1, sync: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss' } },
  });
}
