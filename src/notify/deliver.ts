import type { Config } from '../config/config.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import { appendReceipt } from '../store/receipt.js';
import type { Store } from '../store/store.js';
import { sendApprise } from './apprise.js';
import type { Message } from './notify.js';

export interface Delivered {
  kind: string;
  key: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

/** Sends each message through Apprise, with a receipt and a log line each; a failure is logged, never thrown. */
export async function deliver(
  deps: { config: Config; logger: Logger; redactor: Redactor; store: Pick<Store, 'appendReceipt'> },
  cycle: string | undefined,
  messages: Message[],
): Promise<Delivered[]> {
  const { config, logger } = deps;
  const out: Delivered[] = [];
  if (config.notify.urls.length === 0) return out;
  for (const m of messages) {
    const d = await sendApprise(config.notify.bin, config.notify.urls, m.title, m.body, m.type);
    out.push({ kind: m.kind, key: m.key, ok: d.ok, attempts: d.attempts, error: d.error });
    appendReceipt(deps, {
      kind: 'notification',
      cycle: cycle ?? null,
      event: m.kind,
      key: m.key,
      title: m.title,
      ok: d.ok,
      attempts: d.attempts,
      error: d.error ?? null,
    });
    if (d.ok) logger.info({ cycle, kind: m.kind, key: m.key }, `notified: ${m.title}`);
    else
      logger.warn(
        { cycle, kind: m.kind, key: m.key },
        `notification failed after ${d.attempts} attempts (${d.error}); check CLAUDEOPS_APPRISE_URLS`,
      );
  }
  return out;
}
