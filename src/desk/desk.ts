import { randomBytes } from 'node:crypto';
import { overDailyBudget } from '../budget/budget.js';
import type { Config } from '../config/config.js';
import { allowance, applyCycle } from '../cooldown/cooldown.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import type { deliver } from '../notify/deliver.js';
import { QUOTE, whereToRead, type Message } from '../notify/notify.js';
import { appendReceipt } from '../store/receipt.js';
import type { CycleRecord, CycleStore, ParkedProposal } from '../record/cycle-record.js';
import type { TierRun } from '../tier/fold.js';
import { decide, executionRefusal, NOT_GENUINE, type Limits } from '../approval/decide.js';
import { shown } from '../approval/display.js';
import { executeProposal } from './execute.js';
import { checkLink, makeLinker, SILENCE_MS, type LinkParams, type Linker } from '../approval/links.js';
import { outstanding, pendingAt, recoveredSince, sortDrafts } from '../approval/pending.js';
import type { Waiting } from '../approval/prompt.js';
import { contentHash, pruneDecided } from '../approval/state.js';
import type { Approvals, Proposal } from '../store/records.js';

export interface DeskDeps {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  stdout: (text: string) => void;
  /** Where proposals, holds, the link key, cooldown, spend, receipts and approved runs' logs are kept: the one store. */
  store: CycleStore;
  /** Sends the approval outcome: the daemon's notifier (the context's `deliver`), or a test's. */
  deliver: typeof deliver;
  /** The time the desk's decisions and records see: the daemon's clock (the context's `now`). */
  now: () => Date;
}

/** Who decided: a signed link, or the token holder on the console; and from where. */
export interface Decider {
  via: 'signed link' | 'console session' | 'bearer token';
  from?: string;
}

export type Outcome =
  { ok: true; message: string; proposal?: Proposal } | { ok: false; message: string; proposal?: Proposal };

type Draft = NonNullable<NonNullable<TierRun['verdict']>['proposals']>[number];

/** What a cycle's record says of a draft that repeats an outstanding proposal. */
function repeatNote(tier: number, d: Draft, of: Proposal): string {
  const waits =
    of.state === 'approved'
      ? `was approved at ${of.decidedAt} and waits to run`
      : `is already pending (since ${of.createdAt}, until ${of.expiresAt})`;
  return `tier ${tier} proposed the ${d.action} of ${shown(d.service)} again: proposal ${of.id} (the same commands) ${waits}, so it was not parked or notified again. Decide ${of.id} on the console's approvals page`;
}

const describe = (who: Decider): string => `${who.via}${who.from ? ` from ${who.from}` : ''}`;

/**
 * The one writer of proposals and holds. Cycles park proposals here; the console's
 * links and buttons decide them here; the daemon runs what was approved here, between
 * cycles. Every step is a receipt. Work is serialized, so a double click cannot approve
 * twice and a cycle cannot park over a decision.
 */
export class ApprovalDesk {
  private chain: Promise<unknown> = Promise.resolve();
  readonly key: Buffer | string;

  constructor(private readonly deps: DeskDeps) {
    this.key = deps.config.env.CLAUDEOPS_APPROVAL_SECRET ?? deps.store.linkKey();
  }

  private save(state: Approvals): Promise<void> {
    return this.deps.store.saveApprovals(state);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** An operator's decision, as a receipt: the desk's own, and the console's edits of notes. */
  receipt(entry: Record<string, unknown>): void {
    appendReceipt(this.deps, entry);
  }

  private async load(): Promise<Approvals> {
    const { state, warning } = await this.deps.store.loadApprovals();
    if (warning) this.deps.logger.warn(warning);
    return state;
  }

  /** Signed links for this cycle's notifications; undefined without CLAUDEOPS_PUBLIC_URL. */
  linker(now = this.deps.now()): Linker | undefined {
    const base = this.deps.config.approval.publicUrl;
    return base ? makeLinker(base, this.key, now) : undefined;
  }

  async holds() {
    return (await this.deps.store.loadHolds()).state;
  }

  /**
   * After each cycle: expires pending proposals past their time, and those whose service
   * the cycle found healthy again; then parks the proposals of its propose-mode runs,
   * except a change already pending or approved (same service, action and commands),
   * which is neither parked nor notified again. Proposals from a run that could act
   * are not parked: only a tier the daemon held back may ask a human to act for it.
   */
  park(
    cycle: Pick<CycleRecord, 'id' | 'tiers' | 'checks'>,
    now = this.deps.now(),
  ): Promise<{ parked: ParkedProposal[]; warnings: string[] }> {
    return this.serial(async () => {
      const state = await this.load();
      const warnings: string[] = [];
      let changed = this.expire(state, now) + this.expireRecovered(state, cycle, now);
      const parked: ParkedProposal[] = [];
      for (const run of cycle.tiers) {
        const drafts = run.verdict?.proposals ?? [];
        if (drafts.length && !run.containment.propose) {
          warnings.push(
            `tier ${run.tier} returned ${drafts.length} proposal(s) but was not in propose mode (CLAUDEOPS_APPROVAL); they were not parked`,
          );
          continue;
        }
        const { fresh, repeats } = sortDrafts(drafts, outstanding(state));
        for (const { draft, of } of repeats) warnings.push(repeatNote(run.tier, draft, of));
        for (const d of fresh) parked.push(this.parkOne(state, cycle.id, run.tier, d, now));
        changed += fresh.length;
      }
      if (changed) await this.save(pruneDecided(state));
      return { parked, warnings };
    });
  }

  private parkOne(state: Approvals, cycleId: string, tier: number, d: Draft, now: Date): ParkedProposal {
    const content = {
      cycle: cycleId,
      tier,
      service: d.service,
      action: d.action,
      commands: d.commands,
      why: d.why,
      expected: d.expected,
      rollback: d.rollback,
    };
    const p: Proposal = {
      id: `p-${randomBytes(6).toString('hex')}`,
      ...content,
      hash: contentHash(content),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.config.approval.ttlMs).toISOString(),
      state: 'pending',
    };
    state.proposals[p.id] = p;
    this.receipt({
      kind: 'approval_proposed',
      proposal: p.id,
      cycle: cycleId,
      tier: p.tier,
      service: p.service,
      action: p.action,
      commands: p.commands,
      hash: p.hash,
      expires_at: p.expiresAt,
    });
    this.deps.logger.info(
      { cycle: cycleId, proposal: p.id },
      `proposal ${p.id} parked: ${p.action} of ${p.service}, waiting for a human until ${p.expiresAt}`,
    );
    return {
      id: p.id,
      hash: p.hash,
      tier: p.tier,
      service: p.service,
      action: p.action,
      commands: p.commands,
      why: p.why,
      expected: p.expected,
      rollback: p.rollback,
      expiresAt: p.expiresAt,
    };
  }

  /** Expires pending proposals past their time; returns how many. */
  private expire(state: Approvals, now: Date): number {
    const late = Object.values(state.proposals).filter(
      (p) => p.state === 'pending' && Date.parse(p.expiresAt) <= now.getTime(),
    );
    for (const p of late) {
      Object.assign(p, {
        state: 'expired',
        decidedAt: now.toISOString(),
        decidedBy: 'the daemon (no decision in time)',
      });
      this.receipt({ kind: 'approval_expired', proposal: p.id, hash: p.hash, expired_at: p.expiresAt });
    }
    return late.length;
  }

  /** Expires pending proposals whose service the cycle found healthy again; returns how many. */
  private expireRecovered(state: Approvals, cycle: Pick<CycleRecord, 'id' | 'checks'>, now: Date): number {
    const moot = recoveredSince(state, cycle);
    for (const p of moot) {
      const why = `${shown(p.service)} was healthy again in cycle ${cycle.id}`;
      Object.assign(p, { state: 'expired', decidedAt: now.toISOString(), decidedBy: `the daemon (${why})` });
      this.receipt({
        kind: 'approval_expired',
        proposal: p.id,
        hash: p.hash,
        reason: 'recovered',
        cycle: cycle.id,
        expired_at: now.toISOString(),
      });
      this.deps.logger.info(
        { cycle: cycle.id, proposal: p.id },
        `proposal ${p.id} expired: ${why}; it can no longer be approved`,
      );
    }
    return moot.length;
  }

  /** Pending proposals a tier in propose mode is told about, so it does not propose them again; secrets redacted. */
  pending(redactor: Redactor = this.deps.redactor, now = this.deps.now()): Promise<Waiting[]> {
    return this.serial(async () =>
      pendingAt(await this.load(), now).map((p) => ({
        id: p.id,
        service: redactor.redact(p.service),
        action: p.action,
        commands: p.commands.map((c) => redactor.redact(c)),
        createdAt: p.createdAt,
      })),
    );
  }

  private async limits(service: string, now: Date): Promise<Limits> {
    const { config, store } = this.deps;
    const [cooldown, spend] = await Promise.all([store.loadCooldown(), store.loadSpend(now)]);
    return {
      dryRun: config.dryRun,
      overBudget: overDailyBudget(spend, config.budget.dailyUsd),
      allowance: allowance(cooldown.state, service, config.cooldown, now),
    };
  }

  /** A proposal as a link or the console shows it, without deciding anything. */
  async show(id: string): Promise<Proposal | undefined> {
    return (await this.load()).proposals[id];
  }

  /** Whether a link is genuine and unexpired, before anything is shown. */
  checkLink(params: LinkParams, sig: string, now = this.deps.now()) {
    return checkLink(this.key, params, sig, now);
  }

  /**
   * Records a link whose signature fails, refused before anything is loaded or shown.
   * The console calls it at most once per client a minute, however often the link is sent.
   */
  refuseForged(verb: 'approve' | 'deny', id: string, who: Decider): void {
    const by = describe(who);
    this.receipt({ kind: 'approval_refused', proposal: id, verb, by, reason: NOT_GENUINE });
    this.deps.logger.warn({ proposal: id }, `refused to ${verb} proposal ${id} (${by}): ${NOT_GENUINE}`);
  }

  /**
   * Approves or denies. With `link`, the signature binds the verb, the proposal and its
   * hash; on the console, `hash` is what the page showed. Every refusal is a receipt.
   */
  decide(
    verb: 'approve' | 'deny',
    id: string,
    hash: string,
    who: Decider,
    link?: { params: LinkParams; sig: string },
    now = this.deps.now(),
  ): Promise<Outcome> {
    return this.serial(async () => {
      const state = await this.load();
      const proposal = state.proposals[id];
      const linkCheck = link
        ? link.params.action !== verb || link.params.subject !== id
          ? 'bad signature'
          : checkLink(this.key, link.params, link.sig, now)
        : undefined;
      const limits = proposal ? await this.limits(proposal.service, now) : undefined;
      const d = decide({ verb, proposal, hash: link ? link.params.bind : hash, link: linkCheck, limits: limits!, now });
      const by = describe(who);
      if (!d.ok) {
        this.receipt({ kind: 'approval_refused', proposal: id, verb, by, reason: d.reason });
        this.deps.logger.warn({ proposal: id }, `refused to ${verb} proposal ${id} (${by}): ${d.reason}`);
        if (d.expire && proposal) {
          this.expire(state, new Date(Math.max(now.getTime(), Date.parse(proposal.expiresAt) + 1)));
          await this.save(state);
        }
        return { ok: false, message: d.reason, proposal };
      }
      Object.assign(proposal!, {
        state: verb === 'approve' ? 'approved' : 'denied',
        decidedAt: now.toISOString(),
        decidedBy: by,
      });
      await this.save(state);
      this.receipt({
        kind: verb === 'approve' ? 'approval_approved' : 'approval_denied',
        proposal: id,
        hash: proposal!.hash,
        by,
        at: now.toISOString(),
      });
      this.deps.logger.info({ proposal: id }, `proposal ${id} ${verb === 'approve' ? 'approved' : 'denied'} by ${by}`);
      return {
        ok: true,
        message:
          verb === 'approve'
            ? 'Approved. The daemon runs the commands before its next cycle (now, or right after the running one), then a verification cycle; the outcome is notified.'
            : 'Denied. Nothing will run.',
        proposal,
      };
    });
  }

  /** Acknowledges a check's unhealthy episode (bound to its start), or silences the check for four hours. */
  hold(action: 'ack' | 'silence', check: string, since: string, who: Decider, now = this.deps.now()): Promise<string> {
    return this.serial(async () => {
      const { state, warning } = await this.deps.store.loadHolds();
      if (warning) this.deps.logger.warn(warning);
      const by = describe(who);
      for (const [id, s] of Object.entries(state.silences))
        if (Date.parse(s.until) <= now.getTime()) delete state.silences[id];
      let told: string;
      if (action === 'ack') {
        state.acks[check] = { since, at: now.toISOString(), by };
        told = `Acknowledged: no reminders about ${check} until it resolves; its "resolved" is still sent.`;
      } else {
        const until = new Date(now.getTime() + SILENCE_MS).toISOString();
        state.silences[check] = { until, at: now.toISOString(), by };
        told = `Silenced: nothing about ${check} is sent until ${until}.`;
      }
      await this.deps.store.saveHolds(state);
      this.receipt({
        kind: action === 'ack' ? 'check_acknowledged' : 'check_silenced',
        check,
        by,
        ...(action === 'ack' ? { since } : { until: state.silences[check]!.until }),
      });
      this.deps.logger.info({ check }, `${told} (${by})`);
      return told;
    });
  }

  /** Whether anything approved waits to run. */
  async hasApproved(): Promise<boolean> {
    return Object.values((await this.load()).proposals).some((p) => p.state === 'approved');
  }

  /**
   * Runs every approved proposal, after checking dry run, cooldowns and budget once
   * more; counts a restart or redeployment in the cooldown like any tier's.
   */
  runApproved(o: { shutdown: AbortSignal }): Promise<Proposal[]> {
    return this.serial(async () => {
      const state = await this.load();
      const done: Proposal[] = [];
      for (const p of Object.values(state.proposals).filter((x) => x.state === 'approved')) {
        const now = this.deps.now();
        const refusal =
          contentHash(p) !== p.hash
            ? 'the proposal changed after it was approved'
            : executionRefusal(p, await this.limits(p.service, now));
        if (refusal) {
          this.refuseApproved(p, refusal);
          continue;
        }
        await this.execute(p, o.shutdown, now);
        done.push(p);
        // Saved after each, so a crash cannot run a proposal twice.
        await this.save(state);
      }
      await this.save(state);
      return done;
    });
  }

  /** An approved proposal the daemon will not run after all: denied, with why. */
  private refuseApproved(p: Proposal, refusal: string): void {
    Object.assign(p, { state: 'denied', decidedBy: `${p.decidedBy}; then refused by the daemon: ${refusal}` });
    this.receipt({
      kind: 'approval_refused',
      proposal: p.id,
      verb: 'execute',
      by: 'the daemon',
      reason: refusal,
    });
    this.deps.logger.warn({ proposal: p.id }, `approved proposal ${p.id} was not run: ${refusal}`);
  }

  /** Runs an approved proposal's commands and records how they went; a restart or redeployment counts in the cooldown. */
  private async execute(p: Proposal, shutdown: AbortSignal, now: Date): Promise<void> {
    this.deps.logger.info(
      { proposal: p.id },
      `running approved proposal ${p.id}: ${p.action} of ${p.service} (${p.commands.length} command(s))`,
    );
    const execution = await executeProposal(p, {
      config: this.deps.config,
      redactor: this.deps.redactor,
      shutdown,
      stdout: this.deps.stdout,
      runId: `approval-${p.id}`,
      store: this.deps.store,
      now: this.deps.now,
    });
    Object.assign(p, { state: 'executed', execution });
    this.receipt({
      kind: 'approval_executed',
      proposal: p.id,
      hash: p.hash,
      ok: execution.ok,
      exit_codes: execution.exitCodes,
      error: execution.error ?? null,
      log: execution.log,
      started_at: execution.startedAt,
      ended_at: execution.endedAt,
    });
    if (p.action === 'restart' || p.action === 'redeploy') await this.countInCooldown(p, execution.ok, now);
  }

  private async countInCooldown(p: Proposal, ok: boolean, now: Date): Promise<void> {
    const remediation = {
      tier: p.tier,
      service: p.service,
      action: p.action,
      outcome: ok ? ('succeeded' as const) : ('failed' as const),
    };
    await this.deps.store.updateCooldown((current) =>
      applyCycle(current, { remediations: [remediation], tier1: new Map() }, this.deps.config.cooldown, now),
    );
  }

  /** Records what the verification cycle saw of each executed proposal's service, and tells the operator. */
  verified(executed: Proposal[], cycle: CycleRecord): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      const messages: Message[] = [];
      for (const done of executed) {
        const p = state.proposals[done.id] ?? done;
        const results = cycle.checks.filter((c) => c.services.includes(p.service));
        const status = results.some((c) => c.status === 'unhealthy')
          ? 'unhealthy'
          : results.length
            ? results.every((c) => c.status === 'healthy')
              ? 'healthy'
              : 'degraded'
            : cycle.status;
        p.verification = { cycle: cycle.id, status };
        this.receipt({ kind: 'approval_verified', proposal: p.id, cycle: cycle.id, status });
        const ran = p.execution?.ok ? 'ran' : `failed (${p.execution?.error ?? 'unknown'})`;
        messages.push({
          kind: 'approval_outcome',
          key: p.id,
          type: p.execution?.ok && status === 'healthy' ? 'success' : 'warning',
          title: `claudeops: the approved ${shown(p.action)} of ${shown(p.service)} ${ran}; ${shown(p.service)} is now ${status}`,
          body: [
            `Proposal ${p.id}, approved by ${p.decidedBy} at ${p.decidedAt}.`,
            `Verification cycle ${cycle.id}: ${cycle.summary}`,
            whereToRead(this.deps.config, cycle.id, p.execution?.log),
            'Commands as proposed (quoted), with their exit codes:',
            ...p.commands.map((c, i) => `${QUOTE}$ ${shown(c)}  → exit ${p.execution?.exitCodes[i] ?? 'not run'}`),
          ].join('\n'),
        });
      }
      await this.save(state);
      await this.deps.deliver(this.deps, cycle.id, messages);
    });
  }
}
