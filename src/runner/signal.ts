// Which process gets which signal: SIGKILL the CLI's whole process group, the gentler
// signals the CLI alone (or, when caged, the cage's PID 1 that bwrap reports), since the
// CLI stops its own children.

/**
 * SIGKILL goes to the whole process group; the gentler signals only to the CLI, which
 * stops its children itself. A process already gone is not an error.
 */
export function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(sig === 'SIGKILL' ? -pid : pid, sig);
  } catch {
    /* gone already; the marker sweep catches anything it left */
  }
}

/** The PID in what a command wrote on its pid fd so far (bwrap's `{"child-pid": N}`), if it is there yet. */
export function childPidIn(text: string): number | undefined {
  const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The PID a command reports on its pid fd, once it has (undefined before). */
export function reportedPid(stream: NodeJS.ReadableStream | undefined): () => number | undefined {
  let pid: number | undefined;
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const found = childPidIn(text);
    if (found !== undefined) pid = found;
  });
  stream?.on('error', () => undefined);
  return () => pid;
}
