import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export type MessageType = 'info' | 'success' | 'warning' | 'failure';

export interface Delivery {
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * Runs `fn` with the URLs in a private Apprise config file, so they never appear on
 * a command line where any process could read them.
 */
async function withConfig<T>(urls: string[], fn: (config: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-apprise-'));
  const config = path.join(dir, 'apprise.txt');
  try {
    await fs.writeFile(config, urls.join('\n') + '\n', { mode: 0o600 });
    return await fn(config);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Sends one message with the Apprise CLI. Success is its exit code 0; a failure is retried once. */
export function sendApprise(
  bin: string,
  urls: string[],
  title: string,
  body: string,
  type: MessageType,
): Promise<Delivery> {
  return withConfig(urls, async (config) => {
    let error = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = await execa(bin, ['--config', config, '--notification-type', type, '--title', title, '--body', body], {
        reject: false,
        timeout: 60_000,
        stdin: 'ignore',
        all: true,
      });
      if (r.exitCode === 0) return { ok: true, attempts: attempt };
      error =
        r.code === 'ENOENT'
          ? `${bin}: command not found`
          : `exit ${r.exitCode ?? r.signal}: ${String(r.all ?? '')
              .trim()
              .split('\n')
              .slice(-2)
              .join(' ')
              .slice(0, 300)}`;
    }
    return { ok: false, attempts: 2, error };
  });
}

/** How many of the URLs Apprise can parse, from a dry run that sends nothing. */
export function countUnderstoodUrls(bin: string, urls: string[]): Promise<{ understood: number; error?: string }> {
  return withConfig(urls, async (config) => {
    const r = await execa(bin, ['--dry-run', '--body', 'claudeops validate', '--config', config], {
      reject: false,
      timeout: 60_000,
      stdin: 'ignore',
    });
    if (r.code === 'ENOENT') return { understood: 0, error: `${bin}: command not found` };
    return {
      understood: String(r.stdout)
        .split('\n')
        .filter((l) => /^\s*\d+\.\s/.test(l)).length,
    };
  });
}
