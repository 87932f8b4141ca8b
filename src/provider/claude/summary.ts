// How the story names what Claude's tools were asked to do: the display text of a tool
// call and of a permission denial, from the tool's input as Claude Code gives it.
import { oneLine } from '../../stream/story-line.js';

const INPUT_WIDTH = 300;
const DENIAL_WIDTH = 120;

/** A tool call's input in a few words (`$ df -h /`, a file path, a pattern); undefined for a tool it does not know. */
export function toolSummary(tool: string, input: unknown): string | undefined {
  const i = (input ?? {}) as Record<string, unknown>;
  if (tool === 'Bash' && typeof i.command === 'string') {
    return `$ ${oneLine(i.command, INPUT_WIDTH)}${typeof i.description === 'string' ? `  (${oneLine(i.description, 80)})` : ''}`;
  }
  if ((tool === 'Read' || tool === 'Write' || tool === 'Edit') && typeof i.file_path === 'string') return i.file_path;
  if ((tool === 'Grep' || tool === 'Glob') && typeof i.pattern === 'string')
    return `${i.pattern}${typeof i.path === 'string' ? ` in ${i.path}` : ''}`;
  if (tool === 'WebFetch' && typeof i.url === 'string') return i.url;
  if ((tool === 'Task' || tool === 'Agent') && typeof i.description === 'string')
    return oneLine(i.description, INPUT_WIDTH);
  return undefined;
}

/** A denied call in a few words: the command a Bash call would have run; undefined for others. */
export function denialSummary(input: unknown): string | undefined {
  const cmd = (input as { command?: unknown })?.command;
  return typeof cmd === 'string' ? oneLine(cmd, DENIAL_WIDTH) : undefined;
}
