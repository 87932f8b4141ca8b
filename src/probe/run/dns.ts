// A dns probe, asked by the daemon itself: a name lookup changes nothing, and the egress
// proxy resolves names the same way for tier 1. A and AAAA go through the system's
// resolver (as the services themselves resolve, /etc/hosts included); the other types
// ask the configured DNS servers.
import dns from 'node:dns/promises';
import type { Observation, ProbeTarget } from '../types.js';
import { failureOf } from './failure.js';

type DnsTarget = Extract<ProbeTarget, { kind: 'dns' }>;

export async function observeDns(target: DnsTarget, signal: AbortSignal): Promise<Observation> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const answers = await Promise.race([answersOf(target), aborted(signal)]);
    return { kind: 'dns', answers, latencyMs: latencyMs() };
  } catch (e) {
    return { kind: 'dns', failure: failureOf(e, signal), latencyMs: latencyMs() };
  }
}

async function answersOf({ name, type }: DnsTarget): Promise<string[]> {
  switch (type) {
    case 'A':
    case 'AAAA':
      return (await dns.lookup(name, { all: true, family: type === 'A' ? 4 : 6 })).map((a) => a.address);
    case 'CNAME':
      return dns.resolveCname(name);
    case 'NS':
      return dns.resolveNs(name);
    case 'MX':
      return (await dns.resolveMx(name)).map((m) => `${m.priority} ${m.exchange}`);
    case 'TXT':
      return (await dns.resolveTxt(name)).map((parts) => parts.join(''));
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
