// What probes save: the real daemon and CLI against the fake Messages API, over checks
// whose probes ask a loopback server. Hourly cycles for a month are priced from measured
// cycles: the daily review (every check to tier 1), a cycle judged by probes alone, the
// cycle where one probe fails and the one where it recovers. Each cycle starts with a
// cold prompt cache, as cycles an hour apart do.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FakeApi, type RecordedRequest } from '../test/fake-api.js';
import { cycleSummaries, run, sandbox } from '../test/harness.js';
import { addChecks, checkByCheck, listPriceUsd, type CycleMeasure } from './requests.js';

export interface ProbeCycle {
  requests: number;
  bytes: number;
  /** At Haiku 4.5 list prices, from the usage the fake reported. */
  usd: number;
  /** The cycle's own duration, from its summary. */
  wallMs: number;
  status: string;
  tiers: number;
}

export interface ProbeMeasures {
  review: ProbeCycle;
  probesOnly: ProbeCycle;
  failing?: ProbeCycle;
  recovered?: ProbeCycle;
}

type Report = (name: string, value: number, unit: string, target: string, pass: boolean) => void;

const HOURS_A_MONTH = 24 * 30;

/** The probe figures of `npm run bench`, PASS/FAIL against issue 28's targets. */
export async function probeFigures(report: Report): Promise<void> {
  const twenty = await measureProbeCycles(20, true);
  const { review, probesOnly, failing, recovered } = twenty;
  for (const [label, c] of Object.entries(twenty))
    console.log(
      `  (20 checks with probes, ${label}: ${c.tiers} tier run(s), ${c.requests} requests, ${(c.bytes / 1024).toFixed(0)} KB sent, $${c.usd.toFixed(4)}, ${(c.wallMs / 1000).toFixed(2)} s, ${c.status})`,
    );
  const healthy = 30 * review.usd + (HOURS_A_MONTH - 30) * probesOnly.usd;
  report(
    '$/month, hourly cycles, 20 checks all with probes, all healthy (model review daily)',
    healthy,
    'USD',
    '≤ 5',
    healthy <= 5,
  );
  const oneFailing = 30 * (review.usd + failing!.usd + recovered!.usd) + (HOURS_A_MONTH - 90) * probesOnly.usd;
  report('$/month, the same fleet, one check failing for 1 h a day', oneFailing, 'USD', '≤ 10', oneFailing <= 10);
  report(
    'request bytes when 1 of 20 probes fails vs a full 20-check tier-1 cycle',
    failing!.bytes / review.bytes,
    'x',
    '≤ 0.15',
    failing!.bytes / review.bytes <= 0.15,
  );
  report('API requests of a cycle whose probes all pass', probesOnly.requests, '', '0', probesOnly.requests === 0);
  const fifty = await measureProbeCycles(50, false);
  report(
    'wall time of a probe-only cycle over 50 checks',
    fifty.probesOnly.wallMs / 1000,
    's',
    '≤ 2',
    fifty.probesOnly.wallMs <= 2000 && fifty.probesOnly.requests === 0,
  );
}

const bytesOf = (r: RecordedRequest): number => Buffer.byteLength(JSON.stringify(r.body));

/** A loopback server for the probes: `/svc-<i>` answers 200, or 500 while `i` is in `failing`. */
async function services(failing: Set<number>): Promise<{ port: number; close(): void }> {
  const server = http.createServer((req, res) => {
    const i = Number(/^\/svc-(\d+)/.exec(req.url ?? '')?.[1]);
    res.writeHead(failing.has(i) ? 500 : 200);
    res.end(failing.has(i) ? 'broken' : 'ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

/** `claudeops once` cycles over `n` checks with probes: the first review, probes alone, then (`full`) check 3 failing and recovered. */
export async function measureProbeCycles(n: number, full: boolean): Promise<ProbeMeasures> {
  const failing = new Set<number>();
  const svc = await services(failing);
  const api = new FakeApi(() => ({ kind: 'hang' }), { usage: 'estimated' });
  const sb = sandbox(await api.start(), { CLAUDEOPS_MAX_TIER: '1', CLAUDEOPS_TIMEOUT: '600' });
  try {
    const evidence = path.join(sb.root, 'evidence.txt');
    fs.writeFileSync(evidence, 'GET /healthz 200 12ms ok\n'.repeat(120));
    api.script = checkByCheck(evidence, 0, (id) =>
      failing.has(Number(/check-(\d+)/.exec(id)?.[1])) ? 'unhealthy' : 'healthy',
    );
    addChecks(
      sb,
      n,
      (i) =>
        `## Probe\n- http GET http://127.0.0.1:${svc.port}/svc-${i} expect status == 200, latency < 2 s (degraded)\n\n`,
    );
    const cycle = async (): Promise<ProbeCycle> => {
      api.forgetCache();
      const before = api.messages.length;
      const result = await run(['once'], sb, 900_000);
      const summary = cycleSummaries(sb.resultsDir).at(-1);
      if (!summary) throw new Error(`no cycle summary:\n${(result.stdout + result.stderr).slice(-2000)}`);
      const sent = api.messages.slice(before);
      const usage: CycleMeasure['usage'] = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
      for (const t of summary.tiers)
        for (const u of Object.values<any>(t.modelUsage ?? {})) {
          usage.input += u.inputTokens ?? 0;
          usage.output += u.outputTokens ?? 0;
          usage.cacheWrite += u.cacheCreationInputTokens ?? 0;
          usage.cacheRead += u.cacheReadInputTokens ?? 0;
        }
      return {
        requests: sent.length,
        bytes: sent.reduce((s, r) => s + bytesOf(r), 0),
        usd: listPriceUsd(usage),
        wallMs: summary.durationMs,
        status: summary.status,
        tiers: summary.tiers.length,
      };
    };
    const review = await cycle();
    const probesOnly = await cycle();
    if (!full) return { review, probesOnly };
    failing.add(3);
    const failed = await cycle();
    failing.delete(3);
    const recovered = await cycle();
    return { review, probesOnly, failing: failed, recovered };
  } finally {
    await api.stop();
    svc.close();
    sb.cleanup();
  }
}
