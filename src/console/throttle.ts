// A forged link may be replayed as fast as a client can send it; each attempt is worth
// one receipt and one log line per client per window, not one each. The state lives in
// the object returned, which the console makes for itself; the clock is injected.

export interface Throttle {
  /** True for the first event from `client` in a window (record it); false for the rest. */
  first(client: string): boolean;
}

export interface ThrottleOptions {
  windowMs: number;
  /** Milliseconds now; Date.now unless a test drives it. */
  now?: () => number;
  /** Clients remembered at most; beyond it (after forgetting those past their window) nothing more is recorded. */
  maxClients?: number;
}

/** At most one event per client per `windowMs`. A Map, so a client named like an Object method is just a key. */
export function oncePerClient({ windowMs, now = Date.now, maxClients = 4096 }: ThrottleOptions): Throttle {
  const last = new Map<string, number>();
  return {
    first(client) {
      const t = now();
      const at = last.get(client);
      if (at !== undefined && t - at < windowMs) return false;
      if (at === undefined && last.size >= maxClients) {
        for (const [c, seen] of last) if (t - seen >= windowMs) last.delete(c);
        if (last.size >= maxClients) return false;
      }
      last.set(client, t);
      return true;
    },
  };
}
