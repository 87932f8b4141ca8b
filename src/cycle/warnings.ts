import type { CycleContext } from './context.js';

/** The warnings of a cycle, in the order found. */
export class Warnings {
  private readonly list: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly logger: CycleContext['logger'],
    private readonly cycle: string,
  ) {}

  /** A warning of the cycle: logged, and kept in its summary. */
  flag(warning: string, level: 'warn' | 'error' = 'warn'): void {
    this.logger[level]({ cycle: this.cycle }, warning);
    this.add(warning);
  }

  /** Logged and kept, unless it is kept already. */
  flagOnce(warning: string): void {
    if (!this.seen.has(warning)) this.flag(warning);
  }

  /** Kept, not logged (whoever found it told it). */
  add(warning: string): void {
    this.list.push(warning);
    this.seen.add(warning);
  }

  /** Kept unless it is kept already, not logged. */
  addOnce(warning: string): void {
    if (!this.seen.has(warning)) this.add(warning);
  }

  all(): string[] {
    return [...this.list];
  }
}
