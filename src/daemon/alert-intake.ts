import { admit, alertKey, emptyIntake, type AlertReply, type IntakeState } from '../alerts/intake.js';
import type { Parsed } from '../alerts/payload.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { appendReceipt } from '../store/receipt.js';
import type { DaemonContext } from './context.js';

/**
 * The daemon's side of POST /api/v1/alerts: decides each alert (admit), hands those that
 * start something to the scheduler, and records the payload as a receipt, whatever became of it.
 */
export class AlertIntake {
  private state: IntakeState = emptyIntake();

  constructor(
    private readonly ctx: DaemonContext,
    private readonly scheduler: Scheduler,
  ) {}

  receive(payload: Parsed): AlertReply {
    if (!payload.ok) return this.refused(payload.problems);
    const { alerts } = payload;
    const { outcomes, next } = admit(this.state, alerts, this.scheduler.inFlight(), this.ctx.now().getTime(), {
      dedupeMs: this.ctx.config.alerts.dedupeMs,
      perHour: this.ctx.config.alerts.perHour,
    });
    this.state = next;
    const resolved = new Set(alerts.filter((_, i) => outcomes[i] === 'resolved').map(alertKey));
    if (resolved.size) this.scheduler.withdraw(resolved);
    const starting = alerts.filter((_, i) => outcomes[i] === 'start');
    const reply: AlertReply = {
      outcome: starting.length ? this.scheduler.alert(starting) : 'nothing to start',
      alerts: alerts.map((a, i) => ({ name: a.name, fingerprint: a.fingerprint, outcome: outcomes[i]! })),
    };
    for (const a of reply.alerts) this.ctx.metrics.observeAlert(payload.source, a.outcome);
    this.ctx.logger.info(
      { source: payload.source, alerts: reply.alerts },
      `alert payload from ${payload.source}: ${reply.alerts.map((a) => `${a.name} ${a.outcome}`).join(', ') || 'no alerts'}; ${reply.outcome === 'nothing to start' ? 'no cycle' : `cycle ${reply.outcome}`}`,
    );
    appendReceipt(this.ctx, {
      kind: 'alert',
      source: payload.source,
      outcome: reply.outcome,
      alerts: alerts.map((a, i) => ({ ...a, outcome: outcomes[i] })),
    });
    return reply;
  }

  private refused(problems: string[]): AlertReply {
    this.ctx.metrics.observeAlert('unknown', 'refused');
    this.ctx.logger.warn({ problems }, `an alert payload was refused: ${problems.join('; ')}`);
    appendReceipt(this.ctx, { kind: 'alert', outcome: 'refused', problems });
    return { outcome: 'refused', alerts: [] };
  }
}
