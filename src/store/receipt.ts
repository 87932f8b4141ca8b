import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import type { Store } from './store.js';

/** Appends a receipt to the store's ledger, redacted; a ledger that cannot be written is logged, never fatal. */
export function appendReceipt(
  deps: { store: Pick<Store, 'appendReceipt'>; redactor: Redactor; logger: Logger },
  entry: Record<string, unknown>,
): void {
  try {
    deps.store.appendReceipt(entry, (t) => deps.redactor.redact(t));
  } catch (e) {
    deps.logger.warn(
      `appending to the receipt ledger failed (${(e as NodeJS.ErrnoException).code ?? e}); check that the results directory is writable`,
    );
  }
}
