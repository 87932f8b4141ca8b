// Debian's docker CLI, the one the image ships (docker.io, 20.10), inside the daemon's cage:
// it reaches the Docker API only through the egress proxy (it rejected the sandbox's
// ALL_PROXY=http://… that the CLI's own sandbox set), looks, and cannot restart from a
// read-only run; a tier that may act restarts, and nothing else passes the daemon's filter.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { caged } from '../../src/sandbox/cage.js';
import { EgressProxy } from '../../src/sandbox/egress-proxy.js';
import { runProcess } from '../../src/runner/process.js';
import { FakeDocker } from '../fake-docker.js';

const DEBIAN_DOCKER = '/usr/bin/docker';
const hasIt = fs.existsSync(DEBIAN_DOCKER);

describe(
  'the image’s docker CLI in the cage',
  { skip: hasIt ? false : 'Debian’s docker.io is not installed (.ci/run installs it)' },
  () => {
    let docker: FakeDocker;
    let root: string;
    before(async () => {
      docker = new FakeDocker();
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-docker-cli-'));
    });
    after(async () => {
      await docker.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    async function inCage(readOnly: boolean, line: string): Promise<string> {
      const host = await docker.start();
      const run = fs.mkdtempSync(path.join(root, 'run-'));
      const work = fs.mkdtempSync(path.join(root, 'work-'));
      const proxy = new EgressProxy({ hosts: ['*'], readOnly, docker: host }, () => undefined);
      await proxy.listen(path.join(run, 'egress.sock'));
      let out = '';
      try {
        const env = {
          PATH: '/usr/bin:/bin',
          HTTP_PROXY: 'http://127.0.0.1:3128',
          HTTPS_PROXY: 'http://127.0.0.1:3128',
          DOCKER_HOST: 'tcp://docker.claudeops:2375',
        };
        const spec = {
          workDir: work,
          writable: [],
          readable: [],
          hidden: [],
          readOnly: [],
          runDir: run,
          bridges: [{ host: '127.0.0.1', port: 3128, socket: 'egress.sock' }],
        };
        await runProcess(caged({ file: '/bin/sh', args: ['-c', line], cwd: work, env, stdin: '' }, spec), {
          runId: `docker-cli-${process.pid}`,
          timeoutMs: 30_000,
          shutdown: new AbortController().signal,
          shutdownGraceMs: 2_000,
          onLines: (b) => void (out += b.toString()),
          onStderr: (l) => void (out += `${l}\n`),
        });
      } finally {
        await proxy.stop();
        await docker.stop();
      }
      return out;
    }

    it('lists containers from a read-only run, and its restart never reaches the API', async () => {
      const out = await inCage(true, `${DEBIAN_DOCKER} ps; ${DEBIAN_DOCKER} restart web`);
      assert.match(out, /\bweb\b/, out);
      assert.doesNotMatch(out, /unknown scheme/);
      assert.deepEqual(docker.writes, []);
    });

    it('restarts from a tier that may act, and nothing but reads and restarts passes', async () => {
      const out = await inCage(
        false,
        `${DEBIAN_DOCKER} restart web; ${DEBIAN_DOCKER} stop web; ${DEBIAN_DOCKER} rm -f web; ${DEBIAN_DOCKER} exec web true`,
      );
      const writes = docker.writes.map((w) => `${w.method} ${w.path.replace(/\?.*/, '')}`);
      assert.ok(
        writes.some((w) => /^POST \/v[\d.]+\/containers\/web\/restart$/.test(w)),
        `${writes}\n${out}`,
      );
      assert.deepEqual(
        writes.filter((w) => !/\/restart$/.test(w)),
        [],
        out,
      );
    });
  },
);
