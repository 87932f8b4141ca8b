// What alerts and memory cost the daemon: reading the largest alert payload it takes,
// and learning from a cycle and recalling the notes at the cap it keeps them to.
import { performance } from 'node:perf_hooks';
import { admit, emptyIntake } from '../src/alerts/intake.js';
import { parseAlerts } from '../src/alerts/payload.js';
import type { CheckResult } from '../src/checks/results.js';
import { MEMORY_LIMITS } from '../src/cycle/remember.js';
import { learn } from '../src/memory/learn.js';
import { memoryPrompt } from '../src/memory/recall.js';
import type { Memory } from '../src/store/records.js';

type Report = (name: string, value: number, unit: string, target: string, pass: boolean) => void;

const ROUNDS = 200;

function medianMs(f: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** A full Alertmanager payload: 100 alerts, each with 20 labels and a long description. */
function bigPayload(): unknown {
  return {
    version: '4',
    status: 'firing',
    receiver: 'bench',
    alerts: Array.from({ length: 100 }, (_, i) => ({
      status: 'firing',
      labels: Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`label_${j}`, `value-${i}-${j}`])),
      annotations: { description: 'x'.repeat(1_500) },
      startsAt: '2026-12-02T03:00:00Z',
    })),
  };
}

/** A cycle over 50 checks, ten of them unhealthy, and a restart verified on one. */
function lessonAt(n: number) {
  const results: CheckResult[] = Array.from({ length: 50 }, (_, i) => ({
    id: `site/check-${i}.md`,
    title: `Check ${i}`,
    status: i < 10 ? 'unhealthy' : 'healthy',
    services: [`svc-${i}`],
    detail: i < 10 ? `cycle ${n}: svc-${i} answers 502` : 'ok',
    tier: 2,
  }));
  return {
    cycle: `run-${n}`,
    now: new Date(Date.UTC(2026, 11, 1) + n * 3_600_000),
    tiers: [
      {
        tier: 2,
        durationMs: 40_000,
        verdict: {
          status: 'unhealthy' as const,
          summary: 's',
          escalate: false,
          remediations: [{ service: 'svc-20', action: 'restart' as const, outcome: 'succeeded' as const }],
        },
      },
    ],
    results,
    tier1: results,
  };
}

/** The notes at their cap: 400, eight on each of 50 checks, a week old at most. */
function fullMemory(): Memory {
  const notes = Array.from({ length: MEMORY_LIMITS.maxNotes }, (_, i) => ({
    id: `n-${i}`,
    check: `site/check-${i % 50}.md`,
    service: `svc-${i % 50}`,
    kind: 'finding' as const,
    text: `unhealthy: svc-${i % 50} answered 502 for ${i} s while the pool was exhausted (seen ${i} times)`,
    cycle: `run-${i}`,
    at: new Date(Date.UTC(2026, 11, 1) - (i % 7) * 86_400_000).toISOString(),
    confidence: 0.4 + (i % 5) / 10,
    confirmed: i % 3,
  }));
  return { version: 1, notes };
}

export function notesFigures(report: Report): void {
  const body = bigPayload();
  const bytes = Buffer.byteLength(JSON.stringify(body));
  const intake = medianMs(() => {
    const parsed = parseAlerts(body);
    if (parsed.ok) admit(emptyIntake(), parsed.alerts, new Set(), 0, { dedupeMs: 1_800_000, perHour: 12 });
  });
  report(
    `alert payload of ${(bytes / 1024).toFixed(0)} KiB (100 alerts) read and admitted`,
    intake,
    'ms',
    '< 50 ms',
    intake < 50,
  );

  const full = fullMemory();
  const learning = medianMs(() => learn(full, lessonAt(61), { ...MEMORY_LIMITS, halfLifeDays: 14 }));
  report(
    `learning from a 50-check cycle with ${full.notes.length} notes kept`,
    learning,
    'ms',
    '< 20 ms',
    learning < 20,
  );
  const about = { checks: full.notes.slice(0, 8).flatMap((n) => n.check ?? []), services: ['svc-20'] };
  const recall = medianMs(() => memoryPrompt(full.notes, about, 2048, new Date(Date.UTC(2026, 11, 4)), 14));
  report(`a tier's notes recalled from ${full.notes.length} within 2048 bytes`, recall, 'ms', '< 5 ms', recall < 5);
}
