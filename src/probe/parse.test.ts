import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProbe, parseProbes } from './parse.js';
import { splitConditions, splitExpect } from './split.js';
import type { Condition, Probe } from './types.js';

const probe = (item: string): Probe => {
  const p = parseProbe(item, 7);
  if (Array.isArray(p)) assert.fail(`"${item}" did not parse: ${p.map((x) => x.problem).join('; ')}`);
  return p;
};
const conditions = (item: string): Condition[] => probe(item).conditions;
const problems = (item: string): string[] => {
  const p = parseProbe(item, 7);
  if (!Array.isArray(p)) assert.fail(`"${item}" parsed, but a problem was expected`);
  for (const x of p) assert.equal(x.line, 7);
  return p.map((x) => x.problem);
};
const only = (item: string): Condition => {
  const written = conditions(item).filter((c) => !['status < 400', 'exit == 0', 'answers >= 1'].includes(c.source));
  assert.equal(written.length, 1, `one written condition in "${item}"`);
  return written[0]!;
};

describe('probe section', () => {
  it('takes every list item up to the next heading as one probe, with its line, skipping fenced code and prose', () => {
    const lines = [
      '# Web', // 1
      '## Probe', // 2
      'The daemon runs these; the agent reads the rest.', // 3
      '- http GET https://status.example.com/healthz expect status == 200,', // 4
      '  body contains "ok"', // 5
      '* `tcp db.example.com:5432`', // 6
      '```sh', // 7
      '- run not-a-probe', // 8
      '```', // 9
      '1. dns example.com', // 10
      '## How', // 11
      '- run also-not-a-probe', // 12
    ];
    const { probes, problems: found } = parseProbes(lines);
    assert.deepEqual(found, []);
    assert.deepEqual(
      probes.map((p) => [p.kind, p.line]),
      [
        ['http', 4],
        ['tcp', 6],
        ['dns', 10],
      ],
    );
    assert.deepEqual(
      probes[0]!.conditions.map((c) => c.source),
      ['status == 200', 'body contains "ok"'],
      'the indented line continues the item',
    );
    assert.equal(probes[1]!.source, 'tcp db.example.com:5432', 'the backticks around the item are dropped');
  });

  it('reads "Probes" at any level below the title, and reports a section with no probe at its heading', () => {
    assert.equal(parseProbes(['# T', '### probes', '- tcp a:1']).probes.length, 1);
    assert.equal(parseProbes(['# Probe', '- tcp a:1']).probes.length, 0, 'the title is not a section');
    assert.deepEqual(parseProbes(['# T', '', '## Probe', 'prose only', '## How']).problems, [
      {
        line: 3,
        problem:
          'probe: the Probe section lists no probes; add items such as "- http GET https://example.com/healthz", or remove the section',
      },
    ]);
  });

  it('leaves out a probe with a problem and keeps the others', () => {
    const { probes, problems: found } = parseProbes(['## Probe', '- tcp a:1', '- ftp b', '- tcp c:2']);
    assert.deepEqual(
      probes.map((p) => p.line),
      [2, 4],
    );
    assert.deepEqual(
      found.map((p) => p.line),
      [3],
    );
  });
});

describe('probe targets', () => {
  it('http: GET or HEAD (GET when left out), a full http(s) URL', () => {
    assert.deepEqual(probe('http GET https://x.example/healthz'), {
      kind: 'http',
      method: 'GET',
      url: 'https://x.example/healthz',
      line: 7,
      source: 'http GET https://x.example/healthz',
      conditions: [{ source: 'status < 400', degraded: false, subject: 'status', op: '<', number: 400 }],
    });
    assert.equal((probe('http head http://x.example/') as { method: string }).method, 'HEAD');
    assert.equal((probe('HTTP https://x.example/') as { method: string }).method, 'GET');
  });

  it('tcp: host:port, an IPv6 address in brackets', () => {
    assert.deepEqual(probe('tcp db.example.com:5432'), {
      kind: 'tcp',
      host: 'db.example.com',
      port: 5432,
      line: 7,
      source: 'tcp db.example.com:5432',
      conditions: [],
    });
    assert.equal((probe('tcp [::1]:22') as { host: string }).host, '::1');
    assert.equal((probe('tcp 10.0.0.5:6379') as { host: string }).host, '10.0.0.5');
  });

  it('dns: a name and a record type, A when left out', () => {
    const p = probe('dns example.com');
    assert.deepEqual([p.kind, (p as { name: string }).name, (p as { type: string }).type], ['dns', 'example.com', 'A']);
    for (const t of ['AAAA', 'cname', 'MX', 'TXT', 'ns'])
      assert.equal((probe(`dns example.com ${t}`) as { type: string }).type, t.toUpperCase());
  });

  it('run: the whole command line; the last "expect" outside quotes starts the conditions', () => {
    assert.equal((probe('run df --output=pcent /') as { command: string }).command, 'df --output=pcent /');
    const p = probe('run grep -c expect /etc/motd expect exit == 0, value > 0') as Probe & { command: string };
    assert.equal(p.command, 'grep -c expect /etc/motd');
    assert.deepEqual(
      p.conditions.map((c) => c.source),
      ['exit == 0', 'value > 0'],
    );
    assert.equal((probe('run sh -c "echo expect it"') as { command: string }).command, 'sh -c "echo expect it"');
  });
});

describe('probe conditions', () => {
  it('status, exit, value and answers compare a whole or plain number', () => {
    assert.deepEqual(only('http https://x.example/ expect status == 200'), {
      source: 'status == 200',
      degraded: false,
      subject: 'status',
      op: '==',
      number: 200,
    });
    for (const op of ['==', '!=', '<', '<=', '>', '>='] as const)
      assert.equal((only(`run true expect exit ${op} 1`) as { op: string }).op, op);
    assert.equal((only('run df / expect value<85.5') as { number: number }).number, 85.5);
    assert.equal((only('dns example.com expect answers >= 2') as { number: number }).number, 2);
  });

  it('latency in ms or s (kept in ms), cert in days', () => {
    assert.equal((only('tcp a:1 expect latency < 800 ms') as { number: number }).number, 800);
    assert.equal((only('tcp a:1 expect latency <= 1.5 s') as { number: number }).number, 1500);
    assert.equal((only('tcp a:1 expect latency < 200ms') as { number: number }).number, 200);
    assert.deepEqual(only('http https://x.example/ expect cert > 14 days'), {
      source: 'cert > 14 days',
      degraded: false,
      subject: 'cert',
      op: '>',
      number: 14,
    });
  });

  it('body and output: contains "text" (JSON escapes) or matches /regex/flags', () => {
    assert.deepEqual(only('http https://x.example/ expect body contains "say \\"ok\\", please"'), {
      source: 'body contains "say \\"ok\\", please"',
      degraded: false,
      subject: 'body',
      test: 'contains',
      needle: 'say "ok", please',
    });
    assert.deepEqual(only('run uptime expect output matches /load average: [0-9], x/i'), {
      source: 'output matches /load average: [0-9], x/i',
      degraded: false,
      subject: 'output',
      test: 'matches',
      pattern: 'load average: [0-9], x',
      flags: 'i',
    });
  });

  it('json: a path of keys and indexes, compared with a JSON value or a bare word', () => {
    const json = (text: string): unknown => {
      const c = only(`http https://x.example/ expect json ${text}`) as Extract<Condition, { subject: 'json' }>;
      return [c.path, c.op, c.value];
    };
    assert.deepEqual(json('.status == "up"'), [['status'], '==', 'up']);
    assert.deepEqual(json('.status == up'), [['status'], '==', 'up']);
    assert.deepEqual(json('.items[0].count >= 3'), [['items', 0, 'count'], '>=', 3]);
    assert.deepEqual(json('.["a b"].ok != true'), [['a b', 'ok'], '!=', true]);
    assert.deepEqual(json('.error == null'), [['error'], '==', null]);
    assert.deepEqual(json('. == 1'), [[], '==', 1]);
  });

  it('answer contains or == a value, quoted when it has spaces', () => {
    assert.deepEqual(only('dns example.com expect answer contains 93.184.216.34'), {
      source: 'answer contains 93.184.216.34',
      degraded: false,
      subject: 'answer',
      test: 'contains',
      answer: '93.184.216.34',
    });
    assert.equal(
      (only('dns example.com TXT expect answer == "v=spf1 -all"') as { answer: string }).answer,
      'v=spf1 -all',
    );
  });

  it('"(degraded)" marks a condition whose failure alone degrades', () => {
    assert.deepEqual(
      conditions('run df --output=pcent / expect exit == 0, value < 85 (degraded), value < 95').map((c) => [
        c.source,
        c.degraded,
      ]),
      [
        ['exit == 0', false],
        ['value < 85', true],
        ['value < 95', false],
      ],
    );
  });

  it('adds the default unless a condition judges the same thing', () => {
    const sources = (item: string): string[] => conditions(item).map((c) => c.source);
    assert.deepEqual(sources('http https://x.example/ expect latency < 1 s'), ['status < 400', 'latency < 1 s']);
    assert.deepEqual(sources('http https://x.example/ expect status == 404'), ['status == 404']);
    assert.deepEqual(sources('dns example.com'), ['answers >= 1']);
    assert.deepEqual(sources('dns example.com expect answer contains 192.0.2.1'), ['answer contains 192.0.2.1']);
    assert.deepEqual(sources('run true expect output contains "x"'), ['exit == 0', 'output contains "x"']);
    assert.deepEqual(sources('run grep -q x f expect exit == 1'), ['exit == 1']);
    assert.deepEqual(sources('tcp a:1'), []);
  });

  it('commas and "expect" inside quotes or a regex belong to the condition', () => {
    assert.deepEqual(splitConditions('body contains "a, b", body matches /x,y/, status == 200'), [
      'body contains "a, b"',
      'body matches /x,y/',
      'status == 200',
    ]);
    assert.deepEqual(splitConditions('output matches /[/,]x/, exit == 0'), ['output matches /[/,]x/', 'exit == 0']);
    assert.deepEqual(splitExpect('http https://x/ expect body contains "expect"'), {
      target: 'http https://x/',
      conditions: 'body contains "expect"',
    });
    assert.deepEqual(splitExpect('run cat /x'), { target: 'run cat /x' });
  });
});

describe('probe problems', () => {
  const says = (item: string, pattern: RegExp): void => {
    const found = problems(item);
    assert.ok(
      found.some((p) => pattern.test(p)),
      `${item}\n  gave: ${found.join('\n  ')}`,
    );
    for (const p of found) assert.match(p, /^probe: /);
  };

  it('names an unknown kind and the kinds there are', () =>
    says('ftp example.com', /starts with "ftp", not a kind of probe; start it with http, tcp, dns or run/));

  it('refuses methods that change things', () => {
    for (const m of ['POST', 'put', 'DELETE', 'PATCH'])
      says(`http ${m} https://x.example/`, /is not allowed: .*GET or HEAD/);
  });

  it('refuses a bad URL, another scheme, credentials, and extra words', () => {
    says('http GET example.com/healthz', /"example.com\/healthz" is not a URL/);
    says('http GET ftp://x.example/', /not an http:\/\/ or https:\/\/ URL/);
    says('http GET https://user:pw@x.example/', /holds credentials/);
    says('http GET https://x.example/ status == 200', /write it as "http GET <url>"/);
  });

  it('refuses a bad tcp target, port, dns name or record type, and an empty command', () => {
    says('tcp db.example.com', /is not host:port/);
    says('tcp db:70000', /port 70000 is not from 1 to 65535/);
    says('tcp bad_host!:80', /is not host:port|not a host name/);
    says('dns not..a.name', /is not a DNS name/);
    says('dns example.com SRV', /"SRV" is not a record type; use one of A, AAAA, CNAME, MX, TXT, NS/);
    says('run', /a run probe needs a command/);
  });

  it('names an unknown condition, and one that does not apply to the kind', () => {
    says(
      'http https://x.example/ expect colour == 3',
      /"colour == 3" is not one a probe knows: an http probe takes status/,
    );
    says(
      'http https://x.example/ expect exit == 0',
      /"exit == 0" does not apply to an http probe: it takes status, body, json, latency, cert/,
    );
    says('tcp a:1 expect status == 200', /does not apply to a tcp probe: it takes latency/);
    says('dns example.com expect value < 3', /does not apply to a dns probe/);
    says('run true expect answer contains x', /does not apply to a run probe/);
  });

  it('refuses a body for HEAD and a certificate for http://', () => {
    says('http HEAD https://x.example/ expect body contains "x"', /a HEAD request gets no body/);
    says('http http://x.example/ expect cert > 14 days', /an http:\/\/ URL has no certificate/);
  });

  it('refuses a bad regex or flags, and unquoted text', () => {
    says('run true expect output matches /([a-z/', /\/\(\[a-z\/ is not a regular expression/);
    says('run true expect output matches /x/g', /regex flags may be i, m, s and u, not "g"/);
    says('run true expect output matches x', /between slashes/);
    says('http https://x.example/ expect body contains ok', /put the text in double quotes/);
  });

  it('refuses a bad number, a missing comparison or unit, and a fraction where a whole number is meant', () => {
    says('http https://x.example/ expect status == abc', /"abc" is not a number/);
    says('http https://x.example/ expect status 200', /has no comparison/);
    says('http https://x.example/ expect status == 200.5', /status is a whole number, not 200.5/);
    says('tcp a:1 expect latency < 800', /say the unit of the latency, ms or s/);
    says('http https://x.example/ expect cert > 14', /in days/);
    says('run df / expect value < 85%', /"85%" is not a number/);
    says('run true expect exit == 0 s', /exit takes no unit/);
  });

  it('refuses a json path or value it cannot read', () => {
    says('http https://x.example/ expect json status == 1', /a JSON path starts with a dot/);
    says('http https://x.example/ expect json .s == {"a":1}', /compare with a string, number, true, false or null/);
    says('http https://x.example/ expect json .s > "up"', /> compares numbers; use == or != for "up"/);
  });

  it('refuses an empty condition, and reports every bad condition of a probe', () => {
    says('http https://x.example/ expect status == 200,', /has an empty condition/);
    says('http https://x.example/ expect', /has an empty condition/);
    assert.equal(problems('http https://x.example/ expect exit == 0, colour > 1, status == x').length, 3);
  });
});

describe('commented-out probes', () => {
  it('reads a section of examples in an HTML comment as a template: no probe, no problem', () => {
    const lines = ['# x', '', '## Probe', '<!-- fill in:', '- http GET https://example.com/healthz', '-->', ''];
    assert.deepEqual(parseProbes(lines), { probes: [], problems: [] });
  });

  it('skips a one-line comment and reads the items around it', () => {
    const lines = [
      '## Probe',
      '<!-- - tcp db:5432 -->',
      '- tcp cache.example.com:6379',
      '<!--',
      '- tcp a:1',
      '-->',
      '- dns example.com',
    ];
    const { probes, problems } = parseProbes(lines);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      probes.map((p) => [p.kind, p.line]),
      [
        ['tcp', 3],
        ['dns', 7],
      ],
    );
  });

  it('still reports a section with neither probes nor a comment', () => {
    assert.equal(parseProbes(['## Probe', 'nothing here']).problems.length, 1);
  });
});
