import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCheckFile } from '../checks/check-file.js';
import type { CheckDef } from '../checks/check-set.js';
import { matchChecks, matchReason } from './match.js';
import { parseAlerts, type Alert, type Parsed } from './payload.js';

const alertmanager = {
  version: '4',
  groupKey: '{}:{alertname="HighErrorRate"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'claudeops',
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: { alertname: 'HighErrorRate', job: 'web', severity: 'critical' },
  commonAnnotations: { summary: 'High error rate on web' },
  externalURL: 'http://alertmanager:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'HighErrorRate', job: 'web', instance: 'web-1:8080', severity: 'critical' },
      annotations: { summary: 'High error rate on web', runbook_url: 'https://runbooks/web' },
      startsAt: '2024-05-01T10:00:00.123456789Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=rate',
      fingerprint: 'c0ffee1234567890',
    },
    {
      status: 'resolved',
      labels: { alertname: 'HighErrorRate', job: 'web', instance: 'web-2:8080', severity: 'critical' },
      annotations: {},
      startsAt: '0001-01-01T00:00:00Z',
      endsAt: '2024-05-01T10:05:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: '',
    },
  ],
};

const grafana = {
  receiver: 'ops-webhook',
  status: 'firing',
  orgId: 1,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFull', grafana_folder: 'Infra', service: 'db' },
      annotations: { summary: 'Disk almost full', __dashboardUid__: 'abc' },
      startsAt: '2024-05-01T10:00:00+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://grafana/alerting/grafana/abc/view',
      fingerprint: '8d3b0e1b1e0f9c2a',
      silenceURL: 'http://grafana/alerting/silence/new',
      dashboardURL: '',
      panelURL: '',
      values: { B: 97.2, C: 1 },
      valueString: "[ var='B' labels={} value=97.2 ]",
    },
  ],
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull' },
  commonAnnotations: {},
  externalURL: 'http://grafana/',
  version: '1',
  groupKey: '{}:{alertname="DiskFull"}',
  truncatedAlerts: 0,
  title: '[FIRING:1] DiskFull Infra (db)',
  state: 'alerting',
  message: '**Firing**\n\nValue: B=97.2',
};

const legacy = (state: string) => ({
  dashboardId: 1,
  evalMatches: [{ value: 100, metric: 'High value', tags: null }],
  imageUrl: 'https://grafana.com/static/assets/img/blog/mixed_styles.png',
  message: 'Someone is testing the alert notification within Grafana.',
  orgId: 0,
  panelId: 1,
  ruleId: 0,
  ruleName: 'Test notification',
  ruleUrl: 'http://localhost:3000/',
  state,
  tags: { service: 'api' },
  title: '[Alerting] Test notification',
});

function ok(p: Parsed): Alert[] {
  assert.ok(p.ok, `expected the payload to parse: ${p.ok ? '' : p.problems.join('; ')}`);
  return p.alerts;
}
function problems(p: Parsed): string[] {
  assert.ok(!p.ok, 'expected the payload to be refused');
  return p.problems;
}
const many = (n: number, value = 'v'): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

describe('alert payloads', () => {
  it('reads an Alertmanager webhook: each alert, its sender, name and fingerprint', () => {
    const p = parseAlerts(alertmanager);
    assert.ok(p.ok && p.source === 'alertmanager');
    const [first, second] = ok(p);
    assert.equal(first!.sender, 'alertmanager:claudeops');
    assert.equal(first!.name, 'HighErrorRate');
    assert.equal(first!.status, 'firing');
    assert.equal(first!.labels.instance, 'web-1:8080');
    assert.equal(first!.annotations.runbook_url, 'https://runbooks/web');
    assert.equal(first!.startsAt, '2024-05-01T10:00:00.123456789Z');
    assert.equal(first!.fingerprint, 'c0ffee1234567890');
    assert.equal(Object.getPrototypeOf(first!.labels), null);
    assert.equal(Object.getPrototypeOf(first!.annotations), null);
    assert.equal(second!.status, 'resolved');
    assert.equal(second!.startsAt, undefined, "Alertmanager's zero time is no start");
    assert.ok(!('startsAt' in second!));
    assert.match(second!.fingerprint, /^[0-9a-f]{16}$/, 'an empty fingerprint is computed');
  });

  it('computes the same fingerprint for the same name and labels in any order, another for other labels', () => {
    const fp = (labels: Record<string, string>) =>
      ok(parseAlerts({ alerts: [{ status: 'firing', labels }] }))[0]!.fingerprint;
    assert.equal(fp({ alertname: 'A', job: 'web', env: 'prod' }), fp({ env: 'prod', job: 'web', alertname: 'A' }));
    assert.notEqual(fp({ alertname: 'A', job: 'web' }), fp({ alertname: 'A', job: 'db' }));
  });

  it('reads a Grafana unified alerting webhook', () => {
    const p = parseAlerts(grafana);
    assert.ok(p.ok && p.source === 'grafana');
    const [a] = ok(p);
    assert.equal(a!.source, 'grafana');
    assert.equal(a!.sender, 'grafana:ops-webhook');
    assert.equal(a!.name, 'DiskFull');
    assert.equal(a!.labels.service, 'db');
    assert.equal(a!.startsAt, '2024-05-01T10:00:00+02:00');
    assert.equal(a!.fingerprint, '8d3b0e1b1e0f9c2a');
  });

  it("names a Grafana alert without an alertname by the payload's title, and its sender by orgId without a receiver", () => {
    const body = { orgId: 3, title: 'Disk', state: 'alerting', alerts: [{ status: 'firing', labels: { job: 'db' } }] };
    const [a] = ok(parseAlerts(body));
    assert.equal(a!.name, 'Disk');
    assert.equal(a!.sender, 'grafana:3');
    const long = { ...body, title: 't'.repeat(300) };
    assert.deepEqual(problems(parseAlerts(long)), [
      'title: the name of an alert without an alertname label is at most 256 characters',
    ]);
    const named = { ...long, alerts: [{ status: 'firing', labels: { alertname: 'Disk' } }] };
    assert.equal(ok(parseAlerts(named))[0]!.name, 'Disk', 'a long title no alert is named by is no problem');
  });

  it("reads Grafana's legacy form as one alert, or none while pending or paused", () => {
    const [firing] = ok(parseAlerts(legacy('alerting')));
    assert.equal(firing!.source, 'grafana');
    assert.equal(firing!.name, 'Test notification');
    assert.equal(firing!.status, 'firing');
    assert.equal(firing!.labels.service, 'api');
    assert.equal(firing!.annotations.summary, 'Someone is testing the alert notification within Grafana.');
    assert.equal(ok(parseAlerts(legacy('no_data')))[0]!.status, 'firing');
    assert.equal(ok(parseAlerts(legacy('ok')))[0]!.status, 'resolved');
    assert.deepEqual(parseAlerts(legacy('pending')), { ok: true, source: 'grafana', alerts: [] });
    assert.deepEqual(ok(parseAlerts(legacy('paused'))), []);
    assert.match(problems(parseAlerts(legacy('broken')))[0]!, /^state: expected "alerting", "ok"/);
  });

  it('reads the generic form: firing by default, its summary an annotation, its source the sender', () => {
    const p = parseAlerts({ name: 'backup failed', summary: 'nightly backup exited 1', source: 'cron', labels: {} });
    assert.ok(p.ok && p.source === 'generic');
    const [a] = ok(p);
    assert.equal(a!.status, 'firing');
    assert.equal(a!.name, 'backup failed');
    assert.equal(a!.sender, 'generic:cron');
    assert.equal(a!.annotations.summary, 'nightly backup exited 1');
    assert.match(a!.fingerprint, /^[0-9a-f]{16}$/);
    const [b] = ok(parseAlerts({ name: 'x', status: 'resolved', fingerprint: 'given', startsAt: 'yesterday' }));
    assert.equal(b!.status, 'resolved');
    assert.equal(b!.sender, 'generic:generic');
    assert.equal(b!.fingerprint, 'given');
    assert.equal(b!.startsAt, undefined, 'a start that is no ISO time is left out');
  });

  it('refuses a body of none of the forms, saying what it lacks', () => {
    for (const body of [{ hello: 'world' }, [], 'text', null]) {
      const [p, ...rest] = problems(parseAlerts(body));
      assert.equal(rest.length, 0);
      assert.match(p!, /^the body is not an Alertmanager, Grafana or generic alert payload: /);
    }
    assert.match(problems(parseAlerts({ hello: 1 }))[0]!, /no "alerts" list .* no "name" \(generic\)/);
    assert.match(problems(parseAlerts([]))[0]!, /it is an array, not a JSON object/);
  });

  it('lists every problem at once, each with its path', () => {
    const body = {
      receiver: 'x',
      alerts: [
        { status: 'firing', labels: { alertname: 'A', job: 3 } },
        { status: 'burning', labels: { alertname: 'B' } },
      ],
    };
    assert.deepEqual(problems(parseAlerts(body)), [
      'alerts.0.labels.job: expected a string, got a number',
      'alerts.1.status: expected "firing" or "resolved"',
    ]);
    assert.deepEqual(problems(parseAlerts({ alerts: [{ labels: {} }] })), [
      'alerts.0.status: expected "firing" or "resolved"',
    ]);
    assert.deepEqual(problems(parseAlerts({ name: 'n', labels: 'job=web', annotations: { a: null } })), [
      'labels: expected an object of labels ({"name": "value"}), got a string',
      'annotations.a: expected a string, got null',
    ]);
    assert.deepEqual(problems(parseAlerts({ alerts: {} })), ['alerts: expected an array, got an object']);
  });

  it('refuses a payload past its bounds, naming the field and the limit', () => {
    const firing = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
      status: 'firing',
      labels,
      annotations,
    });
    const tooMany = { alerts: Array.from({ length: 101 }, () => firing({})) };
    assert.deepEqual(problems(parseAlerts(tooMany)), ['alerts: 101 alerts, at most 100 in one payload']);
    assert.equal(ok(parseAlerts({ alerts: Array.from({ length: 100 }, () => firing({})) })).length, 100);
    assert.deepEqual(problems(parseAlerts({ alerts: [firing(many(65))] })), [
      'alerts.0.labels: 65 labels, at most 64 per alert',
    ]);
    assert.deepEqual(problems(parseAlerts({ alerts: [firing({}, many(65))] })), [
      'alerts.0.annotations: 65 annotations, at most 64 per alert',
    ]);
    assert.ok(ok(parseAlerts({ alerts: [firing(many(64), many(64))] })));
    const bad = problems(
      parseAlerts({
        alerts: [
          firing({ 'job-name': 'x', ['a'.repeat(129)]: 'y', job: 'v'.repeat(1025) }, { summary: 's'.repeat(8193) }),
        ],
      }),
    );
    assert.deepEqual(bad, [
      'alerts.0.labels.job-name: "job-name" is not a label name: letters, digits and underscores, not starting with a digit',
      `alerts.0.labels.${'a'.repeat(40)}…: a label name is at most 128 characters, this one has 129`,
      'alerts.0.labels.job: 1025 characters, at most 1024 for a label value',
      'alerts.0.annotations.summary: 8193 characters, at most 8192 for an annotation value',
    ]);
    assert.ok(ok(parseAlerts({ alerts: [firing({ job: 'v'.repeat(1024) }, { summary: 's'.repeat(8192) })] })));
    assert.deepEqual(problems(parseAlerts({ name: 'n'.repeat(257) })), [
      'name: 257 characters, at most 256 for a name',
    ]);
    assert.deepEqual(problems(parseAlerts({ alerts: [firing({ alertname: 'n'.repeat(257) })] })), [
      "alerts.0.labels.alertname: the alert's name is at most 256 characters",
    ]);
  });

  it('keeps a "__proto__" label as a plain key, polluting nothing', () => {
    const text =
      '{"name":"x","labels":{"__proto__":"evil","constructor":"c","prototype":"p"},"annotations":{"__proto__":"a"}}';
    const [a] = ok(parseAlerts(JSON.parse(text)));
    assert.equal(Object.getPrototypeOf(a!.labels), null);
    assert.deepEqual(Object.keys(a!.labels), ['__proto__', 'constructor', 'prototype']);
    assert.equal(a!.labels['__proto__'], 'evil');
    assert.equal(a!.annotations['__proto__'], 'a');
    assert.equal(({} as Record<string, unknown>).constructor, Object);
    const objectLabel = JSON.parse('{"name":"x","labels":{"__proto__":{"polluted":"yes"}}}');
    assert.deepEqual(problems(parseAlerts(objectLabel)), ['labels.__proto__: expected a string, got an object']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const topLevel = JSON.parse('{"name":"x","__proto__":{"labels":{"job":"forged"}}}');
    assert.equal(ok(parseAlerts(topLevel))[0]!.labels.job, undefined);
  });
});

const check = (markdown: string, id = 'site/web.md'): CheckDef => {
  const parsed = parseCheckFile(markdown);
  return { id, repo: 'site', file: '/x/web.md', title: 'Web', services: parsed.services, parsed };
};
const alert = (labels: Record<string, string>): Alert => ({
  source: 'generic',
  sender: 'generic:generic',
  name: 'A',
  status: 'firing',
  labels: Object.assign(Object.create(null), labels),
  annotations: Object.create(null),
  fingerprint: 'f',
});

describe('the Alert labels field', () => {
  it('reads name=value pairs, quoted or not, into a prototype-free map', () => {
    const parsed = parseCheckFile('# Web\n\n- Alert labels: job=web, env="prod", team=`ops`\n\n## How\n');
    assert.deepEqual({ ...parsed.alertLabels }, { job: 'web', env: 'prod', team: 'ops' });
    assert.equal(Object.getPrototypeOf(parsed.alertLabels), null);
    assert.deepEqual(parsed.fieldProblems, []);
    assert.deepEqual(
      { ...parseCheckFile('# W\n**Alert labels:** `alertname=Down`').alertLabels },
      { alertname: 'Down' },
    );
    const described = parseCheckFile('# W\n- Alerts: PagerDuty, then Slack\n');
    assert.equal(described.alertLabels, undefined, 'a line that describes where alerts go is not this field');
    assert.deepEqual(described.fieldProblems, []);
    assert.deepEqual({ ...parseCheckFile('# W\n- Alert label: job = *').alertLabels }, { job: '*' });
  });

  it('is a field problem, and no labels, when a pair is not name=value', () => {
    for (const value of ['job', 'job=web,', 'job=web env=prod', '1job=web', 'job="web']) {
      const parsed = parseCheckFile(`# Web\n- Alert labels: ${value}\n`);
      assert.equal(parsed.alertLabels, undefined, value);
      assert.deepEqual(parsed.fieldProblems, [
        {
          line: 2,
          problem: `"Alert labels: ${value}" is not a list of name=value pairs: write e.g. "Alert labels: job=web, env=prod"`,
        },
      ]);
    }
  });

  it('is read only before the first section', () => {
    assert.equal(parseCheckFile('# Web\n## How\n- Alert labels: job=web\n').alertLabels, undefined);
  });
});

describe('matching alerts to checks', () => {
  const labelled = check('# Web\n- Service: web\n- Alert labels: job=web, env=prod\n');
  const anyEnv = check('# Web\n- Alert labels: job=web, env=*\n', 'site/any.md');
  const byService = check('# Web\n- Services: web-frontend, api\n', 'site/svc.md');
  const none = check('# Other\n- Service: mail\n', 'site/mail.md');
  const checks = [labelled, anyEnv, byService, none];

  it('matches a check by its Alert labels only when every pair is there, * for any value', () => {
    assert.deepEqual(
      matchChecks(alert({ job: 'web', env: 'prod' }), checks).map((m) => m.check.id),
      ['site/web.md', 'site/any.md'],
    );
    assert.deepEqual(
      matchChecks(alert({ job: 'web', env: 'staging' }), checks).map((m) => m.check.id),
      ['site/any.md'],
    );
    assert.deepEqual(matchChecks(alert({ job: 'web' }), [labelled, anyEnv]), [], 'AND: env is missing');
    assert.equal(matchReason(alert({ job: 'web', env: 'prod' }), labelled), 'Alert labels job=web, env=prod');
    assert.equal(matchReason(alert({ service: 'web' }), labelled), undefined, 'its Alert labels replace the services');
  });

  it('matches a check without Alert labels by a label naming one of its services', () => {
    assert.equal(
      matchReason(alert({ service: 'Web_Frontend' }), byService),
      'label service=Web_Frontend names its service',
    );
    assert.equal(matchReason(alert({ job: 'api' }), byService), 'label job=api names its service');
    assert.equal(
      matchReason(alert({ container_name: 'web.frontend' }), byService)?.startsWith('label container_name'),
      true,
    );
    assert.equal(matchReason(alert({ instance: 'api:9100' }), byService), 'label instance=api:9100 names its service');
    assert.equal(matchReason(alert({ instance: 'api' }), byService), 'label instance=api names its service');
    assert.equal(matchReason(alert({ instance: 'api.internal:9100' }), byService), undefined);
    assert.equal(matchReason(alert({ env: 'api' }), byService), undefined, 'env names no service');
    assert.equal(matchReason(alert({ check: 'site/mail.md' }), none), 'label check=site/mail.md is its id');
  });

  it('matches nothing when no label names a check', () => {
    assert.deepEqual(matchChecks(alert({ alertname: 'Disk', service: 'db' }), checks), []);
    assert.deepEqual(matchChecks(alert({}), checks), []);
  });
});
