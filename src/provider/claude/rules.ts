import type { TierPolicy } from '../../policy/policy.js';
import { WRITE_TOOLS } from './options.js';

/**
 * A tier policy as the Claude CLI's permission rules. Write tools are allowed only by
 * path-scoped rules (`Write(//srv/**)`): an unscoped `Write` rule would let them write
 * anywhere. Denied commands become `Bash(<prefix>:*)`; a repo that must not change
 * denies the write tools under it, and a hidden file denies Read and Grep of it.
 */
export function claudeRules(p: TierPolicy): { allowed: string[]; deny: string[] } {
  const writeTools = p.tools.filter((t) => WRITE_TOOLS.includes(t));
  return {
    allowed: [
      ...new Set([
        ...p.tools.filter((t) => !WRITE_TOOLS.includes(t)),
        ...writeTools.flatMap((t) => p.writable.map((w) => `${t}(/${w}/**)`)),
        ...p.mcpAllowed,
      ]),
    ],
    deny: [
      ...new Set([
        ...p.deniedCommands.map((c) => `Bash(${c}:*)`),
        ...p.denyRules,
        ...p.denyWrite.flatMap((d) => WRITE_TOOLS.map((t) => `${t}(/${d}/**)`)),
        ...p.denyRead.flatMap((d) => [`Read(/${d})`, `Grep(/${d})`]),
        ...p.mcpDenied,
      ]),
    ],
  };
}
