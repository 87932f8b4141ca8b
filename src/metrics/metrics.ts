import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Instance } from '../files/instance.js';
import { CYCLE_STATUSES, type CycleRecord, type CycleStatus } from '../record/cycle-record.js';

const STATUSES: CycleStatus[] = CYCLE_STATUSES;

/** The daemon's Prometheus metrics, on a registry of its own. */
export class Metrics {
  readonly registry = new Registry();
  private readonly cycles = new Counter({
    name: 'claudeops_cycles_total',
    help: 'Cycles by final status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly triggers = new Counter({
    name: 'claudeops_cycles_by_trigger_total',
    help: 'Cycles by what started them: schedule, operator, alert, approval, once',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'claudeops_alerts_total',
    help: 'Alerts received on /api/v1/alerts, by source and what became of them (start, duplicate, rate-limited, resolved, refused)',
    labelNames: ['source', 'outcome'],
    registers: [this.registry],
  });
  private readonly tierRuns = new Counter({
    name: 'claudeops_tier_runs_total',
    help: 'Tier runs by tier and exit class',
    labelNames: ['tier', 'exit_class'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'claudeops_tier_run_duration_seconds',
    help: 'Wall time of one tier run',
    labelNames: ['tier'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'claudeops_cost_usd_total',
    help: 'Spend reported by the CLI, by model',
    labelNames: ['model'],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'claudeops_tokens_total',
    help: 'Tokens reported by the CLI, by model and kind',
    labelNames: ['model', 'kind'],
    registers: [this.registry],
  });
  private readonly escalations = new Counter({
    name: 'claudeops_escalations_total',
    help: 'Escalations from one tier to the next',
    labelNames: ['from', 'to'],
    registers: [this.registry],
  });
  private readonly lastCycle = new Gauge({
    name: 'claudeops_last_cycle_timestamp_seconds',
    help: 'When the last cycle ended (Unix time)',
    registers: [this.registry],
  });
  private readonly lastStatus = new Gauge({
    name: 'claudeops_last_cycle_status',
    help: '1 for the status of the last cycle, 0 for the others',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly failures = new Gauge({
    name: 'claudeops_consecutive_failed_cycles',
    help: 'Failed cycles in a row',
    registers: [this.registry],
  });
  private readonly skips = new Counter({
    name: 'claudeops_cycle_skips_total',
    help: 'Scheduled cycles not started, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: 'claudeops_notifications_total',
    help: 'Notifications sent, by kind and result',
    labelNames: ['kind', 'result'],
    registers: [this.registry],
  });

  private readonly mcpUp = new Gauge({
    name: 'claudeops_mcp_server_up',
    help: '1 when the MCP server was connected in the last tier run that started it, else 0',
    labelNames: ['server', 'source'],
    registers: [this.registry],
  });

  private readonly checkStatus = new Gauge({
    name: 'claudeops_check_status',
    help: "Each check's state after its thresholds: 0 healthy, 1 degraded, 2 unknown, 3 unhealthy, -1 not applicable",
    labelNames: ['check', 'service'],
    registers: [this.registry],
  });
  private readonly repos = new Gauge({
    name: 'claudeops_repo_owned',
    help: '1 for each mounted repo whose checks this instance judges (CLAUDEOPS_INSTANCE), as of the last cycle',
    labelNames: ['repo'],
    registers: [this.registry],
  });
  private readonly remediations = new Counter({
    name: 'claudeops_remediations_total',
    help: 'Remediations the tiers reported, by action and outcome',
    labelNames: ['action', 'outcome'],
    registers: [this.registry],
  });

  /** With several instances, every series carries `claudeops_instance` ("2/3"): Prometheus sees them all. */
  constructor(instance?: Instance) {
    if (instance && instance.count > 1)
      this.registry.setDefaultLabels({ claudeops_instance: `${instance.index}/${instance.count}` });
    // Default metrics already start with process_ or nodejs_.
    collectDefaultMetrics({ register: this.registry, prefix: 'claudeops_' });
    // Counters exist at 0 from the start, so a rate() over them works before the first event.
    for (const status of STATUSES) this.cycles.inc({ status }, 0);
    for (const trigger of ['schedule', 'operator', 'alert', 'approval']) this.triggers.inc({ trigger }, 0);
    for (const reason of ['overlap', 'backoff', 'budget']) this.skips.inc({ reason }, 0);
    for (const [from, to] of [
      ['1', '2'],
      ['2', '3'],
    ])
      this.escalations.inc({ from, to }, 0);
    for (const action of ['restart', 'redeploy', 'config', 'other'])
      for (const outcome of ['succeeded', 'failed']) this.remediations.inc({ action, outcome }, 0);
    for (const tier of ['1', '2', '3']) this.tierRuns.inc({ tier, exit_class: 'ok' }, 0);
    this.failures.set(0);
  }

  /** Each check's state after its thresholds, one series per check and service. */
  observeChecks(checks: Record<string, { status: string; services: string[] }>): void {
    const code: Record<string, number> = { not_applicable: -1, healthy: 0, degraded: 1, unknown: 2, unhealthy: 3 };
    this.checkStatus.reset();
    for (const [check, e] of Object.entries(checks))
      for (const service of e.services.length ? e.services : [''])
        this.checkStatus.set({ check, service }, code[e.status] ?? 2);
  }

  /** The repos this instance owns. */
  observeRepos(owned: string[]): void {
    this.repos.reset();
    for (const repo of owned) this.repos.set({ repo }, 1);
  }

  /** Each server's status at the start of a tier run, as the CLI reported it. */
  observeMcp(status: Record<string, string>, origin: Record<string, string>): void {
    for (const [server, s] of Object.entries(status))
      this.mcpUp.set({ server, source: origin[server] ?? 'unknown' }, s === 'connected' ? 1 : 0);
  }

  observeCycle(cycle: CycleRecord): void {
    this.cycles.inc({ status: cycle.status });
    this.triggers.inc({ trigger: cycle.trigger });
    for (const s of STATUSES) this.lastStatus.set({ status: s }, s === cycle.status ? 1 : 0);
    this.lastCycle.set(Date.parse(cycle.endedAt) / 1000);
    for (const e of cycle.escalations) this.escalations.inc({ from: String(e.from), to: String(e.to) });
    for (const r of cycle.tiers) {
      this.tierRuns.inc({ tier: String(r.tier), exit_class: r.exitClass });
      this.duration.observe({ tier: String(r.tier) }, r.durationMs / 1000);
      for (const [model, u] of Object.entries(r.modelUsage)) {
        if (u.costUSD) this.cost.inc({ model }, u.costUSD);
        for (const [kind, n] of [
          ['input', u.inputTokens],
          ['output', u.outputTokens],
          ['cache_read', u.cacheReadInputTokens],
          ['cache_creation', u.cacheCreationInputTokens],
        ] as const) {
          if (n) this.tokens.inc({ model, kind }, n);
        }
      }
    }
    for (const n of cycle.notifications) this.notifications.inc({ kind: n.kind, result: n.ok ? 'sent' : 'failed' });
    for (const r of cycle.tiers)
      for (const m of r.verdict?.remediations ?? []) this.remediations.inc({ action: m.action, outcome: m.outcome });
  }

  observeAlert(source: string, outcome: string): void {
    this.alerts.inc({ source, outcome });
  }

  setConsecutiveFailures(n: number): void {
    this.failures.set(n);
  }

  skipped(reason: 'overlap' | 'backoff' | 'budget'): void {
    this.skips.inc({ reason });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
