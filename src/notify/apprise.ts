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
 * Sends one message with the Apprise CLI. The URLs go in a private config file,
 * not on the command line where any process could read them. Success is Apprise's
 * exit code 0; a failure is retried once.
 */
export async function sendApprise(bin: string, urls: string[], title: string, body: string, type: MessageType): Promise<Delivery> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-apprise-'));
  const config = path.join(dir, 'apprise.txt');
  await fs.writeFile(config, urls.join('\n') + '\n', { mode: 0o600 });
  let error = '';
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = await execa(bin, ['--config', config, '--notification-type', type, '--title', title, '--body', body], {
        reject: false,
        timeout: 60_000,
        stdin: 'ignore',
        all: true,
      });
      if (r.exitCode === 0) return { ok: true, attempts: attempt };
      error = r.code === 'ENOENT' ? `${bin}: command not found` : `exit ${r.exitCode ?? r.signal}: ${String(r.all ?? '').trim().split('\n').slice(-2).join(' ').slice(0, 300)}`;
    }
    return { ok: false, attempts: 2, error };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
