import { serviceKey } from '../checks/check-file.js';
import type { CheckDef } from '../checks/check-set.js';
import type { Alert } from './payload.js';

// Which checks an alert is about: those whose `Alert labels:` it carries, else those
// whose services its labels name.

/** The labels that name a service in the exporters and alert rules people write. */
const SERVICE_LABELS = ['service', 'job', 'app', 'container', 'container_name', 'name', 'instance'] as const;

const label = (labels: Record<string, string>, name: string): string | undefined =>
  Object.hasOwn(labels, name) ? labels[name] : undefined;

/** An instance label is a target's `host:port`; the host is what names the service. */
const host = (instance: string): string => instance.replace(/:\d+$/, '');

function labelsReason(alert: Alert, wanted: Record<string, string>): string | undefined {
  const pairs = Object.entries(wanted);
  const all = pairs.every(([name, value]) => {
    const got = label(alert.labels, name);
    return got !== undefined && (value === '*' || got === value);
  });
  return all && pairs.length > 0 ? `Alert labels ${pairs.map(([k, v]) => `${k}=${v}`).join(', ')}` : undefined;
}

function serviceReason(alert: Alert, services: readonly string[]): string | undefined {
  const keys = new Set(services.map(serviceKey).filter(Boolean));
  for (const name of SERVICE_LABELS) {
    const value = label(alert.labels, name);
    if (value === undefined) continue;
    const key = serviceKey(name === 'instance' ? host(value) : value);
    if (key && keys.has(key)) return `label ${name}=${value} names its service`;
  }
  return undefined;
}

/** Why an alert matched a check, for the log: e.g. 'Alert labels job=web' or 'label service=web names its service'. */
export function matchReason(alert: Alert, check: CheckDef): string | undefined {
  const wanted = check.parsed.alertLabels;
  if (wanted) return labelsReason(alert, wanted);
  if (label(alert.labels, 'check') === check.id) return `label check=${check.id} is its id`;
  return serviceReason(alert, check.services);
}

/** The checks an alert is about, in the given order, each with why; none when it names none (the caller then runs all). */
export function matchChecks(alert: Alert, checks: readonly CheckDef[]): { check: CheckDef; why: string }[] {
  return checks.flatMap((check) => {
    const why = matchReason(alert, check);
    return why === undefined ? [] : [{ check, why }];
  });
}
