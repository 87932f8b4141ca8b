/** What a tier's OS sandbox allows: the input of the CLI's `sandbox` settings. */
export interface SandboxSpec {
  /** The run's own working directory: always writable. */
  workDir: string;
  /** Further paths the tier may change (empty for tier 1 and dry run). */
  writable: string[];
  /** Never writable, whatever else is listed: the daemon's own directories. */
  denyWrite: string[];
  /** Never readable: key files, .env. */
  denyRead: string[];
  /** Environment variables unset for every sandboxed command. */
  secretEnv: string[];
  /** The daemon's egress proxy: the sandbox's only way out. */
  proxyPort: number;
}

/**
 * The `--settings` JSON of a sandboxed run (Claude Code 2.1.197, bubblewrap on Linux).
 * Bash runs read-only but for the work dir and the writable paths, in its own PID and
 * network namespace; HTTP leaves only through the proxy, and the CLI's own SOCKS
 * proxy is given no allowed domain, so it refuses every connection.
 */
export function sandboxSettings(spec: SandboxSpec): Record<string, unknown> {
  return {
    sandbox: {
      enabled: true,
      failIfUnavailable: true,
      autoAllowBashIfSandboxed: true,
      allowUnsandboxedCommands: false,
      filesystem: { allowWrite: spec.writable, denyWrite: spec.denyWrite, denyRead: spec.denyRead },
      network: { httpProxyPort: spec.proxyPort, allowedDomains: [] },
      credentials: { envVars: spec.secretEnv.map((name) => ({ name, mode: 'deny' })) },
    },
  };
}
