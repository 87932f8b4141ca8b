import type { ProbeFailure } from '../types.js';

/** Why a probe's signal aborted: its own time ran out. */
export class ProbeTimeout extends Error {
  constructor(readonly afterMs: number) {
    super(`timed out after ${afterMs} ms`);
  }
}

/** A signal that aborts after `ms`, or when the daemon stops; and how to let go of its timer. */
export function probeSignal(ms: number, parent: AbortSignal): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new ProbeTimeout(ms)), ms);
  const stop = () => ctl.abort(parent.reason);
  parent.addEventListener('abort', stop, { once: true });
  return {
    signal: ctl.signal,
    done: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', stop);
    },
  };
}

/** What went wrong, in the judge's terms: a timeout, a refused connection, an unknown name, TLS, or the error's own words. */
export function failureOf(e: unknown, signal: AbortSignal): ProbeFailure {
  if (signal.aborted)
    return signal.reason instanceof ProbeTimeout
      ? { reason: 'timeout', afterMs: signal.reason.afterMs }
      : { reason: 'error', message: 'stopped: the daemon is shutting down' };
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ECONNREFUSED') return { reason: 'refused' };
  if (err.code === 'ENOTFOUND' || err.code === 'ENODATA' || err.code === 'EAI_AGAIN') return { reason: 'not-found' };
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(err.code ?? ''))
    return { reason: 'tls', message: err.message };
  return { reason: 'error', message: err.message ?? String(e) };
}
