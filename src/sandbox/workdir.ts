import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh working directory for one tier run, outside every directory the daemon
 * owns: the sandbox lets the agent write its working directory, so it must be
 * nothing of ours. It gets a copy of the app's CLAUDE.md, the agent's runbook, under
 * the name its CLI reads a project's instructions from.
 */
export async function makeWorkDir(runId: string, appDir: string, runbookFile?: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `claudeops-run-${runId.slice(0, 8)}-`));
  await Promise.all([
    fs.mkdir(path.join(dir, 'tmp')),
    runbookFile && fs.copyFile(path.join(appDir, 'CLAUDE.md'), path.join(dir, runbookFile)).catch(() => undefined),
  ]);
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
