import type { Config, TierNumber } from '../config/config.js';
import { shown } from './display.js';
import type { Proposal } from '../store/records.js';

/** A pending proposal as a propose-mode tier is told of it. */
export type Waiting = Pick<Proposal, 'id' | 'service' | 'action' | 'commands' | 'createdAt'>;

/** Whether this tier runs in propose mode: read-only by mechanism, ending with proposals. */
export const proposeMode = (config: Config, tier: TierNumber): boolean =>
  tier !== 1 && config.approval.proposeTiers.includes(tier);

/** The system-prompt section of a tier in propose mode, naming the proposals that already wait for a human. */
export function proposePrompt(config: Config, tier: TierNumber, pending: readonly Waiting[] = []): string {
  if (!proposeMode(config, tier)) return '';
  return [
    '## Propose mode: a human approves every change',
    `The operator requires approval (CLAUDEOPS_APPROVAL=${config.approval.classes.join(',')}) for what this tier would change. This run is read-only: the daemon withholds write tools, writable paths and mutating commands, so an attempt to change something fails and is recorded.`,
    'Investigate as usual, then end with `proposals` in your verdict, one per change, most important first:',
    '- `service`, and `action` (restart, redeploy, config or other);',
    '- `commands`: the exact shell commands, in order, self-contained (absolute paths, no interactive prompts). After approval the daemon runs exactly these with a timeout, outside your session;',
    '- `why` (the evidence), `expected` (what the next cycle should see), `rollback` (how to undo it).',
    'List nothing under `remediations` with outcome succeeded: you changed nothing. Keep `escalate` false; a human decides next.',
    ...pendingLines(pending),
  ].join('\n');
}

function pendingLines(pending: readonly Waiting[]): string[] {
  if (!pending.length) return [];
  return [
    '',
    '### Already waiting for a human',
    'These proposals are pending: do not propose them again (the daemon drops a repeat of the same service, action and commands). Propose only a change that differs from them, or none.',
    ...pending.map(
      (p) =>
        `- ${p.id} (since ${p.createdAt}): ${p.action} of ${shown(p.service)}: ${p.commands.map((c) => `\`${shown(c)}\``).join('; ')}`,
    ),
  ];
}
