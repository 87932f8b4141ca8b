import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstNumber } from './evaluate.js';
import { duration, judge, judgeCheck } from './judge.js';
import { parseProbe } from './parse.js';
import { OBSERVATION_LIMITS, type Judgement, type Observation, type Probe } from './types.js';

const probe = (item: string): Probe => {
  const p = parseProbe(item, 3);
  if (Array.isArray(p)) assert.fail(p.map((x) => x.problem).join('; '));
  return p;
};
const ok = (j: Judgement, detail: string): void => assert.deepEqual([j.status, j.detail], ['healthy', detail]);
const http = (more: Partial<Extract<Observation, { kind: 'http'; status: number }>> = {}): Observation => ({
  kind: 'http',
  status: 200,
  latencyMs: 123,
  body: '{"status":"up","items":[{"n":3}]}',
  certDaysLeft: 40.7,
  ...more,
});
const run = (output: string, exit = 0): Observation => ({ kind: 'run', exit, output, latencyMs: 40 });
const dns = (...answers: string[]): Observation => ({ kind: 'dns', answers, latencyMs: 5 });

describe('judge: http', () => {
  const p = probe('http GET https://x.example/healthz expect status == 200');

  it('says what was asked and seen, and what was expected when it failed', () => {
    ok(judge(p, http()), 'GET https://x.example/healthz → 200 in 123 ms');
    assert.deepEqual(judge(p, http({ status: 500 })), {
      status: 'unhealthy',
      detail: 'GET https://x.example/healthz → 500 in 123 ms (expected status == 200)',
      latencyMs: 123,
    });
  });

  it('by default a status below 400 is healthy', () => {
    const d = probe('http https://x.example/ expect latency < 1 s');
    ok(judge(d, http({ status: 302 })), 'GET https://x.example/ → 302 in 123 ms');
    assert.equal(
      judge(d, http({ status: 503 })).detail,
      'GET https://x.example/ → 503 in 123 ms (expected status < 400)',
    );
    assert.equal(
      judge(d, http({ latencyMs: 1500 })).detail,
      'GET https://x.example/ → 200 in 1.5 s (expected latency < 1 s)',
    );
  });

  it('body contains and matches', () => {
    const c = probe('http https://x.example/ expect body contains "\\"up\\"", body matches /ITEMS/i');
    assert.equal(judge(c, http()).status, 'healthy');
    assert.equal(
      judge(c, http({ body: 'down' })).detail,
      'GET https://x.example/ → 200 in 123 ms (expected body contains "\\"up\\""; body matches /ITEMS/i)',
    );
  });

  it('json compares the value at its path, and says what it found', () => {
    const j = (cond: string, body?: string): Judgement =>
      judge(probe(`http https://x.example/ expect json ${cond}`), body === undefined ? http() : http({ body }));
    assert.equal(j('.status == "up"').status, 'healthy');
    assert.equal(j('.status == up').status, 'healthy');
    assert.equal(j('.items[0].n >= 3').status, 'healthy');
    assert.equal(j('.status != "down"').status, 'healthy');
    assert.match(j('.status == "ok"').detail, /\(expected json \.status == "ok", got "up"\)$/);
    assert.match(j('.items[0].n > 3').detail, /\(expected json \.items\[0\]\.n > 3, got 3\)$/);
    assert.match(j('.items[1].n == 3').detail, /got nothing there\)$/);
    assert.match(j('.constructor == 1').detail, /got nothing there\)$/, 'no inherited property is read');
    assert.match(j('.status == "up"', '<html>').detail, /got the body is not JSON\)$/);
    assert.equal(j('.status > 1').status, 'unhealthy', 'a string is not compared as a number');
  });

  it('cert: days left on the certificate, shown when a condition asks', () => {
    const c = probe('http https://x.example/ expect cert > 14 days');
    ok(judge(c, http()), 'GET https://x.example/ → 200 in 123 ms, cert 40 days');
    assert.match(judge(c, http({ certDaysLeft: 9 })).detail, /cert 9 days \(expected cert > 14 days\)$/);
    assert.match(
      judge(c, http({ certDaysLeft: undefined })).detail,
      /\(expected cert > 14 days, got no certificate seen\)$/,
    );
  });

  it('a (degraded) condition failing alone degrades; with another failing, unhealthy', () => {
    const c = probe('http https://x.example/ expect status == 200, latency < 800 ms (degraded)');
    assert.deepEqual(
      [judge(c, http({ latencyMs: 950 })).status, judge(c, http({ latencyMs: 950 })).detail],
      ['degraded', 'GET https://x.example/ → 200 in 950 ms (expected latency < 800 ms)'],
    );
    assert.equal(judge(c, http({ latencyMs: 950, status: 502 })).status, 'unhealthy');
  });

  it('reads no further into the body than the limit', () => {
    const c = probe('http https://x.example/ expect body contains "needle"');
    const body = `${'x'.repeat(OBSERVATION_LIMITS.bodyChars)}needle`;
    assert.equal(judge(c, http({ body })).status, 'unhealthy');
  });
});

describe('judge: tcp, dns, run', () => {
  it('tcp: connected is healthy; latency may be a condition', () => {
    ok(
      judge(probe('tcp db.example.com:5432'), { kind: 'tcp', latencyMs: 3 }),
      'tcp db.example.com:5432 connected in 3 ms',
    );
    ok(judge(probe('tcp [::1]:22'), { kind: 'tcp', latencyMs: 1 }), 'tcp [::1]:22 connected in 1 ms');
    const slow = judge(probe('tcp db:5432 expect latency < 100 ms (degraded)'), { kind: 'tcp', latencyMs: 250 });
    assert.deepEqual(
      [slow.status, slow.detail],
      ['degraded', 'tcp db:5432 connected in 250 ms (expected latency < 100 ms)'],
    );
  });

  it('dns: at least one answer by default; answer contains and ==', () => {
    const d = probe('dns example.com');
    ok(judge(d, dns('93.184.216.34')), 'dns example.com A → 93.184.216.34 in 5 ms');
    assert.equal(judge(d, dns()).detail, 'dns example.com A → no answer in 5 ms (expected answers >= 1)');
    const many = judge(d, dns('192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'));
    assert.equal(many.detail, 'dns example.com A → 192.0.2.1, 192.0.2.2, 192.0.2.3 and 2 more in 5 ms');
    const has = probe('dns example.com expect answer contains 192.0.2.2');
    assert.equal(judge(has, dns('192.0.2.1', '192.0.2.2')).status, 'healthy');
    assert.equal(judge(has, dns('192.0.2.1')).status, 'unhealthy');
    assert.equal(judge(has, dns()).status, 'unhealthy', 'no answer contains nothing');
    const is = probe('dns www.example.com CNAME expect answer == Example.com');
    assert.equal(judge(is, dns('example.com.')).status, 'healthy', 'case and the final dot do not count');
    assert.equal(judge(is, dns('example.com.', 'other.net.')).status, 'unhealthy');
    assert.equal(judge(is, dns()).status, 'unhealthy');
  });

  it('dns: an MX answer matches by its host; TXT compares exactly', () => {
    assert.equal(
      judge(probe('dns example.com MX expect answer contains mx1.example.com'), dns('10 mx1.example.com')).status,
      'healthy',
    );
    const txt = probe('dns example.com TXT expect answer contains "v=spf1 -all"');
    assert.equal(judge(txt, dns('v=spf1 -all')).status, 'healthy');
    assert.equal(judge(txt, dns('V=SPF1 -ALL')).status, 'unhealthy');
  });

  it('run: exit 0 by default; value is the first number standing apart', () => {
    const r = probe('run df --output=pcent / expect value < 85 (degraded), value < 95');
    assert.deepEqual(judge(r, run('Use%\n 50%\n')), {
      status: 'healthy',
      detail: 'run df --output=pcent / → exit 0, value 50 in 40 ms',
      value: 50,
      latencyMs: 40,
    });
    const full = judge(r, run('/dev/sda1 87%'));
    assert.deepEqual(
      [full.status, full.detail, full.value],
      ['degraded', 'run df --output=pcent / → exit 0, value 87 in 40 ms (expected value < 85)', 87],
    );
    assert.equal(judge(r, run('Use%\n 96%')).status, 'unhealthy');
    assert.match(judge(r, run('Use%\n 50%', 1)).detail, /→ exit 1, value 50 in 40 ms \(expected exit == 0\)$/);
    const none = judge(r, run('no numbers'));
    assert.equal(none.status, 'unhealthy');
    assert.equal(none.value, undefined);
    assert.match(
      none.detail,
      /\(expected value < 85, got no number in the output; value < 95, got no number in the output\)$/,
    );
  });

  it('run: output contains and matches, exit as written', () => {
    const r = probe(
      'run systemctl is-active nginx expect exit == 0, output matches /^active$/m, output contains "active"',
    );
    assert.equal(judge(r, run('active\n')).status, 'healthy');
    assert.equal(
      judge(r, run('inactive\n', 3)).detail,
      'run systemctl is-active nginx → exit 3 in 40 ms (expected exit == 0; output matches /^active$/m)',
    );
    assert.equal(judge(probe('run grep -q x /f expect exit == 1'), run('', 1)).status, 'healthy');
  });

  it('durations read in ms below a second, else in s', () =>
    assert.deepEqual([42.4, 999.7, 1540, 10_000].map(duration), ['42 ms', '1 s', '1.5 s', '10 s']));

  it('firstNumber skips numbers inside words', () => {
    assert.equal(firstNumber('/dev/sda1 87%'), 87);
    assert.equal(firstNumber('disk-1 at -3.5 C'), -3.5);
    assert.equal(firstNumber('ipv4 v2 only'), undefined);
  });
});

describe('judge: failures', () => {
  it('is unhealthy and says what failed, whatever the conditions', () => {
    const h = probe('http https://x.example/ expect latency < 1 s (degraded)');
    const said = (o: Observation): string => {
      const j = judge(o.kind === 'http' ? h : probe(`${o.kind} db:5432`), o);
      assert.equal(j.status, 'unhealthy');
      return j.detail;
    };
    assert.equal(
      said({ kind: 'http', failure: { reason: 'timeout', afterMs: 10_000 } }),
      'GET https://x.example/: timed out after 10 s',
    );
    assert.equal(
      said({ kind: 'tcp', failure: { reason: 'refused' }, latencyMs: 1 }),
      'tcp db:5432: connection refused',
    );
    assert.equal(
      said({ kind: 'http', failure: { reason: 'egress' } }),
      'GET https://x.example/: refused by the egress policy',
    );
    assert.equal(said({ kind: 'http', failure: { reason: 'not-found' } }), 'GET https://x.example/: name not found');
    assert.equal(
      said({ kind: 'http', failure: { reason: 'tls', message: 'certificate has expired' } }),
      'GET https://x.example/: TLS error: certificate has expired',
    );
    assert.equal(
      judge(probe('run sleep 60'), { kind: 'run', failure: { reason: 'timeout', afterMs: 500 } }).detail,
      'run sleep 60: timed out after 500 ms',
    );
    assert.equal(
      judge(probe('dns example.com'), { kind: 'dns', failure: { reason: 'error', message: 'SERVFAIL' } }).detail,
      'dns example.com A: SERVFAIL',
    );
  });

  it('refuses an observation of another kind', () =>
    assert.throws(
      () => judge(probe('tcp db:5432'), http()),
      /a tcp probe \(line 3\) was given what an http probe saw/,
    ));
});

describe('judgeCheck', () => {
  const probes = [
    probe('tcp db:5432'),
    probe('http https://x.example/ expect latency < 800 ms (degraded)'),
    probe('dns example.com'),
  ];

  it('is the worst of its probes, naming those that are not healthy', () => {
    const fine: Observation[] = [{ kind: 'tcp', latencyMs: 2 }, http(), dns('192.0.2.1')];
    const all = judgeCheck(probes, fine);
    assert.equal(all.status, 'healthy');
    assert.equal(
      all.detail,
      'tcp db:5432 connected in 2 ms; GET https://x.example/ → 200 in 123 ms; dns example.com A → 192.0.2.1 in 5 ms',
    );
    const slow = judgeCheck(probes, [fine[0]!, http({ latencyMs: 900 }), fine[2]!]);
    assert.deepEqual(
      [slow.status, slow.detail],
      ['degraded', 'GET https://x.example/ → 200 in 900 ms (expected latency < 800 ms); 2 other probes healthy'],
    );
    const down = judgeCheck(probes, [
      { kind: 'tcp', failure: { reason: 'refused' } },
      http({ latencyMs: 900 }),
      fine[2]!,
    ]);
    assert.equal(down.status, 'unhealthy');
    assert.equal(
      down.detail,
      'tcp db:5432: connection refused; GET https://x.example/ → 200 in 900 ms (expected latency < 800 ms); 1 other probe healthy',
    );
    assert.deepEqual(
      down.judgements.map((j) => j.status),
      ['unhealthy', 'degraded', 'healthy'],
    );
  });

  it('needs one observation per probe', () => {
    assert.throws(() => judgeCheck(probes, [http()]), /3 probe\(s\) and 1 observation\(s\)/);
    assert.throws(() => judgeCheck([], []), /at least one/);
  });
});
