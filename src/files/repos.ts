import fs from 'node:fs/promises';

/** Repo directories under reposDir, in name order; none when it does not exist. */
export async function listRepos(reposDir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(reposDir, { withFileTypes: true });
    return (
      entries
        .filter((e) => e.isDirectory() || e.isSymbolicLink())
        .map((e) => e.name)
        // git-sync swaps a repo's link through a `tmp-link` beside it for a moment.
        .filter((n) => !n.startsWith('.') && n !== 'tmp-link')
        .sort()
    );
  } catch {
    return [];
  }
}
