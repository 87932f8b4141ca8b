import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProcess } from '../runner/process.js';
import { cageArgs, caged, type CageSpec } from './cage.js';

/** Runs a shell line in the cage and returns what it printed. */
async function inCage(spec: CageSpec, line: string, shell = '/bin/sh'): Promise<{ out: string; code: number | null }> {
  let out = '';
  const cmd = caged(
    { file: shell, args: ['-c', line], cwd: spec.workDir, env: { PATH: '/usr/bin:/bin' }, stdin: '' },
    spec,
  );
  const end = await runProcess(cmd, {
    runId: `cage-test-${process.pid}`,
    timeoutMs: 20_000,
    shutdown: new AbortController().signal,
    shutdownGraceMs: 2_000,
    onLines: (b) => void (out += b.toString()),
    onStderr: (l) => void (out += `${l}\n`),
  });
  return { out, code: end.exitCode };
}

describe('the cage', () => {
  let root: string;
  let spec: CageSpec;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-cage-test-'));
    for (const d of ['work', 'run', 'repos/a', 'state', 'writable/keep'])
      fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.writeFileSync(path.join(root, 'state', 'ledger.key'), 'SECRET-KEY-BYTES');
    fs.writeFileSync(path.join(root, 'repos', 'a', 'check.md'), 'a check');
    fs.writeFileSync(path.join(root, 'repos', 'a', 'hidden.md'), 'TIER-3 PLAYBOOK');
    spec = {
      workDir: path.join(root, 'work'),
      writable: [path.join(root, 'writable')],
      readable: [path.join(root, 'repos')],
      hidden: [path.join(root, 'state'), path.join(root, 'repos', 'a', 'hidden.md')],
      readOnly: [path.join(root, 'writable', 'keep')],
      runDir: path.join(root, 'run'),
      bridges: [],
    };
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('mounts nothing it was not given: the state dir does not exist inside', async () => {
    const r = await inCage(spec, `cat ${root}/state/ledger.key 2>/dev/null; echo ---; ls ${root}`);
    assert.doesNotMatch(r.out, /SECRET-KEY-BYTES/);
    assert.deepEqual(
      r.out.split('---\n')[1]!.trim().split('\n'),
      ['repos', 'run', 'work', 'writable'].filter((d) => d !== 'run'),
    );
  });

  it('hides a path inside a readable one, and shows the rest read-only', async () => {
    const r = await inCage(
      spec,
      `cat ${root}/repos/a/check.md; cat ${root}/repos/a/hidden.md; echo x > ${root}/repos/a/new`,
    );
    assert.match(r.out, /a check/);
    assert.doesNotMatch(r.out, /TIER-3 PLAYBOOK/);
    assert.equal(fs.existsSync(path.join(root, 'repos', 'a', 'new')), false);
  });

  it('writes only the work dir and writable paths, never a read-only path inside them, /tmp or /', async () => {
    await inCage(spec, `touch ${root}/work/w ${root}/writable/w ${root}/writable/keep/w /tmp/w /w`);
    assert.equal(fs.existsSync(path.join(root, 'work', 'w')), true);
    assert.equal(fs.existsSync(path.join(root, 'writable', 'w')), true);
    assert.equal(fs.existsSync(path.join(root, 'writable', 'keep', 'w')), false);
    assert.equal(fs.existsSync('/tmp/w'), false);
  });

  it('holds no capability: a remount cannot make a read-only path writable, nor a new mount reveal what is hidden', async () => {
    const r = await inCage(
      spec,
      `id -u; grep CapEff /proc/self/status; mount -o remount,rw ${root}/repos 2>&1; mount -t tmpfs x ${root}/repos 2>&1; touch ${root}/repos/remounted 2>&1`,
    );
    assert.match(r.out, /CapEff:\s+0+\n/);
    if (process.getuid?.() === 0) assert.doesNotMatch(r.out.split('\n')[0]!, /^0$/, 'the cage runs as root');
    assert.equal(fs.existsSync(path.join(root, 'repos', 'remounted')), false);
  });

  it('sees no process of the host and has no network', async () => {
    const server = net.createServer((s) => s.end('HOST-SERVICE\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await inCage(
        spec,
        `ls /proc | grep -c "^[0-9]"; tr "\\0" " " < /proc/1/cmdline; echo; bash -c 'cat < /dev/tcp/127.0.0.1/${port}' 2>&1`,
      );
      const [count, pid1] = r.out.trim().split('\n');
      assert.ok(Number(count) <= 5, `processes visible: ${count}`);
      assert.match(pid1!, / -c ls \/proc/, 'PID 1 is the cage’s own command');
      assert.doesNotMatch(r.out, /HOST-SERVICE/, 'a loopback service of the host answered');
    } finally {
      server.close();
    }
  });

  it('starts the command once every bridge listens: a first connect through each reaches its socket', async () => {
    const servers = ['one.sock', 'two.sock'].map((name) => {
      const server = net.createServer((s) => s.end(`ANSWER-FROM-${name}\n`));
      return { name, server };
    });
    await Promise.all(
      servers.map(
        ({ name, server }) => new Promise<void>((resolve) => server.listen(path.join(spec.runDir, name), resolve)),
      ),
    );
    const bridges = [
      { host: '127.0.0.1', port: 3128, socket: 'one.sock' },
      { host: '127.0.0.2', port: 8780, socket: 'two.sock' },
    ];
    try {
      // bash connects itself, at once: no program starts between the wait and the connects.
      const r = await inCage(
        { ...spec, bridges },
        bridges.map((b) => `while read -r l; do echo "$l"; done </dev/tcp/${b.host}/${b.port} 2>&1`).join('; '),
        '/bin/bash',
      );
      assert.match(r.out, /ANSWER-FROM-one\.sock\n[^]*ANSWER-FROM-two\.sock/);
      assert.equal(r.code, 0);
    } finally {
      for (const { server } of servers) server.close();
    }
  });

  it('runs the command even when a bridge cannot listen', async () => {
    // No interface of the cage has this address, so its socat fails at once.
    const r = await inCage({ ...spec, bridges: [{ host: '192.0.2.1', port: 3128, socket: 'none.sock' }] }, 'echo RAN');
    assert.match(r.out, /RAN/);
    assert.equal(r.code, 0);
  });

  it('runs its command as PID 1 and reports its PID on fd 3, for a gentle stop', () => {
    const args = cageArgs(spec);
    assert.ok(args.includes('--as-pid-1') && args.includes('--unshare-all') && args.includes('--die-with-parent'));
    assert.deepEqual(args.slice(args.indexOf('--info-fd'), args.indexOf('--info-fd') + 2), ['--info-fd', '3']);
    assert.ok(!cageArgs(spec, false).includes('--info-fd'));
  });
});
