import type { Logger } from '../logger/logger.js';
import type { Ledger } from './ledger.js';

/** Appends a receipt; a ledger that cannot be written is logged, never fatal. */
export function appendReceipt(deps: { ledger: Ledger; logger: Logger }, entry: Record<string, unknown>): void {
  try {
    deps.ledger.append(entry);
  } catch (e) {
    deps.logger.warn(
      `appending to the receipt ledger failed (${(e as NodeJS.ErrnoException).code ?? e}); check that the results directory is writable`,
    );
  }
}
