import { execa } from 'execa';
import type { SandboxMode } from '../config/config.js';
import { CAGE_NAMESPACES } from './cage.js';

export type SandboxProbe = { ok: true } | { ok: false; why: string };

/**
 * Whether bubblewrap can build the daemon's cage (new user, PID and network namespaces,
 * a fresh /proc), with socat for its network bridges. Inside Docker the
 * default seccomp and AppArmor profiles refuse this; the message names the fix.
 */
export async function probeSandbox(bins = { bwrap: 'bwrap', socat: 'socat' }): Promise<SandboxProbe> {
  const socat = await execa(bins.socat, ['-V'], { reject: false, timeout: 5_000 });
  if (socat.failed && socat.exitCode === undefined)
    return {
      ok: false,
      why: `socat is not installed (${socat.code ?? socat.shortMessage}): install the Debian package socat`,
    };
  const r = await execa(
    bins.bwrap,
    [...CAGE_NAMESPACES, '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', 'true'],
    { reject: false, timeout: 10_000 },
  );
  if (r.exitCode === 0) return { ok: true };
  if (r.exitCode === undefined)
    return {
      ok: false,
      why: `bubblewrap is not installed (${r.code ?? r.shortMessage}): install the Debian package bubblewrap`,
    };
  return {
    ok: false,
    why:
      `bubblewrap cannot create the sandbox (${r.stderr.trim() || `exit ${r.exitCode}`}). ` +
      'In Docker, run the container with the security_opt lines of the shipped docker-compose.yml (see README, "Containment"); ' +
      'on hosts that restrict user namespaces, allow them (sysctl kernel.apparmor_restrict_unprivileged_userns=0 or kernel.unprivileged_userns_clone=1); ' +
      'or set CLAUDEOPS_SANDBOX=off to run without it, giving up the guarantee that tier 1 and dry run change nothing',
  };
}

export interface SandboxDecision {
  sandboxed: boolean;
  /** Set when the run must not start. */
  refuse?: string;
  warning?: string;
}

/** Whether a run is sandboxed, runs without, or does not run; CLAUDEOPS_SANDBOX=auto still requires it of read-only runs. */
export function sandboxDecision(mode: SandboxMode, readOnly: boolean, probe: SandboxProbe): SandboxDecision {
  if (mode === 'off') {
    return {
      sandboxed: false,
      warning: readOnly
        ? 'CLAUDEOPS_SANDBOX=off: this read-only run rests on its tool set, MCP annotations and deny rules alone; its commands can change files'
        : undefined,
    };
  }
  if (probe.ok) return { sandboxed: true };
  if (mode === 'required' || readOnly)
    return {
      sandboxed: false,
      refuse: `the OS sandbox cannot start, so this ${readOnly ? 'read-only ' : ''}run was not started: ${probe.why}`,
    };
  return { sandboxed: false, warning: `running without the OS sandbox (CLAUDEOPS_SANDBOX=auto): ${probe.why}` };
}
