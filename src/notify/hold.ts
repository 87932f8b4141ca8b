import cron from 'node-cron';
import type { MaintenanceWindow } from '../config/config.js';
import type { Holds } from '../store/records.js';

const MINUTE = 60_000;

type Fields = ReturnType<typeof cron.parse>;

/** Whether a 5-field cron expression fires in the minute of `d` (UTC); day of month and weekday OR when both are set, as in cron. */
function fires(f: Fields, d: Date): boolean {
  if (
    !f.minute.includes(d.getUTCMinutes()) ||
    !f.hour.includes(d.getUTCHours()) ||
    !f.month.includes(d.getUTCMonth() + 1)
  )
    return false;
  const dom = f.dayOfMonth.includes(d.getUTCDate());
  const dow = f.dayOfWeek.includes(d.getUTCDay()) || (d.getUTCDay() === 0 && f.dayOfWeek.includes(7));
  const anyDom = f.dayOfMonth.length >= 31;
  const anyDow = f.dayOfWeek.length >= 7;
  return anyDom || anyDow ? dom && dow : dom || dow;
}

/** The end of the maintenance window `now` falls in, if any: the latest start within a duration before now, plus the duration. */
export function maintenanceUntil(windows: readonly MaintenanceWindow[], now: Date): Date | undefined {
  let until: number | undefined;
  for (const w of windows) {
    const f = cron.parse(w.cron);
    const minute = Math.floor(now.getTime() / MINUTE) * MINUTE;
    for (let t = minute; t > now.getTime() - w.durationMs; t -= MINUTE) {
      if (!fires(f, new Date(t))) continue;
      until = Math.max(until ?? 0, t + w.durationMs);
      break;
    }
  }
  return until === undefined ? undefined : new Date(until);
}

/** Why a check's notifications are held now, if they are: a maintenance window, or a silence. */
export function heldBecause(check: string, holds: Holds, maintenance: Date | undefined, now: Date): string | undefined {
  if (maintenance) return `maintenance window until ${maintenance.toISOString()}`;
  const s = holds.silences[check];
  return s && Date.parse(s.until) > now.getTime() ? `silenced until ${s.until} by ${s.by}` : undefined;
}

/** Whether the unhealthy episode that began at `since` is acknowledged. */
export const acknowledged = (check: string, since: string, holds: Holds): boolean => holds.acks[check]?.since === since;
