// Every probe of a cycle, at once (a bounded number at a time), each with its own timeout:
// network probes through an egress proxy with tier 1's policy, run probes in a cage with
// tier 1's. A probe is repo text, as untrusted as a check: it reaches and changes no more
// than tier 1 could.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckSet } from '../../checks/check-set.js';
import type { Config } from '../../config/config.js';
import { inheritedEnv } from '../../context/env-context.js';
import { EgressProxy } from '../../sandbox/egress-proxy.js';
import { cageBaseEnv, egressPolicy, openCage, type OpenCage } from '../../sandbox/open-cage.js';
import { makeWorkDir, removeWorkDir } from '../../sandbox/workdir.js';
import { repoRules } from '../../policy/policy.js';
import { judgeCheck } from '../judge.js';
import type { ProbedCheck } from '../select.js';
import type { Observation, Probe } from '../types.js';
import { observeRun, type RunPlace } from './command.js';
import { observeDns } from './dns.js';
import { probeSignal } from './failure.js';
import { observeHttp } from './http.js';
import { observeTcp } from './tcp.js';

export interface ProbeRunInput {
  config: Config;
  set: CheckSet;
  shutdown: AbortSignal;
  /** A request through the egress proxy, and whether it was refused. */
  onEgress: (line: string, refused: boolean) => void;
}

/** The most probes under way at once. */
const PARALLEL = 16;

export async function runProbes(input: ProbeRunInput): Promise<ProbedCheck[]> {
  const checks = input.set.checks.filter((c) => c.parsed.probes.length > 0);
  if (!checks.length) return [];
  const probes = checks.flatMap((c) => c.parsed.probes);
  // Every probe under way listens for the stop: one signal of their own, allowed that many listeners.
  const stop = AbortSignal.any([input.shutdown]);
  setMaxListeners(PARALLEL + 1, stop);
  const own: ProbeRunInput = { ...input, shutdown: stop };
  // The daemon's proxy socket (tunnels to the probes' hosts) stays outside the work dir the cage shows.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-probes-'));
  const workDir = await makeWorkDir(randomUUID(), input.config.appDir);
  const proxy = egressFor(input, probes);
  let cage: OpenCage | undefined;
  const socket = path.join(dir, 'egress.sock');
  try {
    await proxy.listen(socket);
    cage = probes.some((p) => p.kind === 'run') ? await cageFor(input, workDir) : undefined;
    const env = { ...inheritedEnv(), TMPDIR: path.join(workDir, 'tmp') };
    const place: RunPlace = {
      workDir,
      env: cage ? { ...cageBaseEnv(env), ...cage.env } : env,
      cage: cage?.spec,
      shutdown: stop,
      shutdownGraceMs: input.config.shutdownGraceMs,
    };
    const seen = await bounded(probes, PARALLEL, (p) => observe(p, socket, place, own));
    let at = 0;
    return checks.map((c) => {
      const mine = seen.slice(at, (at += c.parsed.probes.length));
      return { id: c.id, ...judgeCheck(c.parsed.probes, mine) };
    });
  } finally {
    await Promise.all([proxy.stop(), cage?.close()]);
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    await removeWorkDir(workDir);
  }
}

function observe(probe: Probe, socket: string, place: RunPlace, input: ProbeRunInput): Promise<Observation> {
  const ms = input.config.probes.timeoutMs;
  if (probe.kind === 'run') return observeRun(probe, place, ms);
  const { signal, done } = probeSignal(ms, input.shutdown);
  const seen =
    probe.kind === 'http'
      ? observeHttp(probe, socket, signal)
      : probe.kind === 'tcp'
        ? observeTcp(probe, socket, signal)
        : observeDns(probe, signal);
  return seen.finally(done);
}

/**
 * Tier 1's egress policy, for the daemon's own probe requests. The daemon speaks TLS over
 * a tunnel itself and sends only GET or HEAD, so tunnels to the probes' hosts (https and
 * tcp) are allowed here though a read-only agent gets none; the host allow list still holds.
 */
function egressFor(input: ProbeRunInput, probes: Probe[]): EgressProxy {
  const { config } = input;
  const tunnels = probes.flatMap((p) =>
    p.kind === 'tcp' ? [p.host] : p.kind === 'http' && p.url.startsWith('https:') ? [new URL(p.url).hostname] : [],
  );
  return new EgressProxy(
    egressPolicy(config, { network: config.tiers[1].network, readOnly: true }, tunnels),
    input.onEgress,
  );
}

/** Tier 1's cage for the run probes: read-only, its network, what the repos hide from tier 1 hidden. */
async function cageFor(input: ProbeRunInput, workDir: string): Promise<OpenCage | undefined> {
  const { config } = input;
  if (config.sandbox === 'off') return undefined;
  const rules = repoRules(input.set, 1);
  return openCage({
    config,
    workDir,
    policy: {
      readOnly: true,
      network: config.tiers[1].network,
      writable: [],
      denyRead: rules.hiddenPaths,
      denyWrite: rules.readOnlyPaths,
      mcpAllowed: [],
      mcpDenied: [],
    },
    onEvent: input.onEgress,
  });
}

/** `work` over every item, at most `limit` at a time, results in the items' order. */
async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
