import { execa } from 'execa';

/** `claude --version`, or why the CLI cannot be run. */
export async function cliVersion(bin: string): Promise<{ version?: string; error?: string }> {
  try {
    const r = await execa(bin, ['--version'], { timeout: 20_000, reject: false, stdin: 'ignore' });
    if (r.failed || r.exitCode !== 0)
      return {
        error:
          r.code === 'ENOENT' ? `${bin}: command not found` : String(r.stderr || r.shortMessage || 'failed').trim(),
      };
    return { version: String(r.stdout).trim() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
