import type { IncomingMessage } from 'node:http';
import { CYCLE_STATUSES, type StoredCycleStatus } from '../store/records.js';
import { queryOf } from './respond.js';

/** Cycles a page (or an API answer) lists at most. */
export const PER_PAGE = 50;

/** `?status=a,b&page=N` of the cycles list, for the page and the API alike: unknown statuses are dropped, the page is 1 or more. */
export function cyclesQuery(req: IncomingMessage): { statuses: StoredCycleStatus[]; page: number } {
  const q = queryOf(req);
  const statuses = (q.get('status') ?? '')
    .split(',')
    .filter((s): s is StoredCycleStatus => (CYCLE_STATUSES as readonly string[]).includes(s));
  return { statuses, page: Math.max(1, Math.floor(Number(q.get('page'))) || 1) };
}
