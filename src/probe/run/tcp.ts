// A tcp probe: a tunnel through the egress proxy to host:port, closed once open; the
// proxy connects only where tier 1 may, and nothing is sent.
import type { Observation, ProbeTarget } from '../types.js';
import { failureOf } from './failure.js';
import { tunnel } from './proxy-client.js';

type TcpTarget = Extract<ProbeTarget, { kind: 'tcp' }>;

export async function observeTcp(target: TcpTarget, socketPath: string, signal: AbortSignal): Promise<Observation> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const hop = await tunnel(socketPath, target.host, target.port, signal);
    if (hop.ok) {
      hop.socket.destroy();
      return { kind: 'tcp', latencyMs: latencyMs() };
    }
    const failure = hop.refused ? ({ reason: 'egress' } as const) : ({ reason: 'refused' } as const);
    return { kind: 'tcp', failure, latencyMs: latencyMs() };
  } catch (e) {
    return { kind: 'tcp', failure: failureOf(e, signal), latencyMs: latencyMs() };
  }
}
