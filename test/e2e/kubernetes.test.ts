// A Kubernetes identity per tier, with the real kubectl inside the daemon's cage against a
// loopback stand-in of the API server (no cluster runs here): the daemon asks for each
// tier's short-lived token under its own account (TokenRequest), the run's kubectl reaches
// the API only through the daemon, which adds that token, and the stand-in's RBAC decides.
// Judged by what the API server saw and what changed, and by what the model was ever shown.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, lastToolResult, toolUse, verdict } from '../fake-api.js';
import { FakeKubeApi } from '../fake-kube-api.js';
import { cycleSummaries, files, read, run, sandbox } from '../harness.js';

const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => fs.existsSync(p));
const PODS = '/api/v1/namespaces/claudeops/pods';

const bash = (command: string) => toolUse('Bash', { command, description: 'kubectl' });

describe('a Kubernetes identity per tier', () => {
  it('tier 1 reads under its own account and cannot delete; tier 2 deletes under its; no run ever holds a token', async () => {
    assert.ok(KUBECTL, 'kubectl is not installed');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-kube-'));
    const kube = new FakeKubeApi(path.join(dir, 'serviceaccount'));
    const api = new FakeApi(
      byModel({
        haiku: [
          bash(
            `${KUBECTL} get --raw ${PODS}; ${KUBECTL} delete --raw ${PODS}/web-1; cat ${kube.dir}/token; cat "$KUBECONFIG"; env | grep -i -E 'kube|token'; true`,
          ),
          verdict({
            status: 'unhealthy',
            summary: 'web-1 is stuck.',
            escalate: true,
            checks: [{ id: 'site/web.md', status: 'unhealthy', service: 'web' }],
          }),
        ],
        sonnet: [
          bash(
            `${KUBECTL} delete --raw ${PODS}/web-1; ${KUBECTL} get --raw /api/v1/namespaces/claudeops/secrets; true`,
          ),
          verdict({
            status: 'healthy',
            summary: 'Deleted web-1.',
            escalate: false,
            checks: [{ id: 'site/web.md', status: 'healthy', service: 'web' }],
          }),
        ],
      }),
    );
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_KUBERNETES_API: await kube.start(),
      CLAUDEOPS_KUBERNETES_CREDENTIALS: kube.dir,
      CLAUDEOPS_TIER1_KUBERNETES_ACCOUNT: 'claudeops-tier1',
      CLAUDEOPS_TIER2_KUBERNETES_ACCOUNT: 'claudeops-tier2',
    });
    try {
      sb.addRepo('site', { '.claude-ops/checks/web.md': '# web\n\nThe web pods run.\n' });
      const result = await run(['once'], sb, 180_000);
      assert.equal(result.code, 0, result.stdout.slice(-3000));

      const seen = kube.requests.map((r) => `${r.as} ${r.method} ${r.path}`);
      // The daemon's own token asked for the two tiers' tokens, lasting at least Kubernetes' 600 s, and for nothing else.
      const own = kube.requests.filter((r) => r.as === 'claudeops/claudeops');
      assert.deepEqual(
        own.map((r) => `${r.method} ${r.path}`),
        [
          'POST /api/v1/namespaces/claudeops/serviceaccounts/claudeops-tier1/token',
          'POST /api/v1/namespaces/claudeops/serviceaccounts/claudeops-tier2/token',
        ],
        seen.join('\n'),
      );
      for (const r of own)
        assert.ok((JSON.parse(r.body) as { spec: { expirationSeconds: number } }).spec.expirationSeconds >= 600);
      // Tier 1 listed the pods as tier 1; its delete never reached the API server.
      assert.ok(seen.includes(`claudeops/claudeops-tier1 GET ${PODS}`), seen.join('\n'));
      assert.ok(!seen.some((s) => s.startsWith('claudeops/claudeops-tier1 DELETE')), seen.join('\n'));
      // Tier 2 deleted the pod as tier 2, and its RBAC refused the secrets.
      assert.ok(seen.includes(`claudeops/claudeops-tier2 DELETE ${PODS}/web-1`), seen.join('\n'));
      assert.ok(seen.includes('claudeops/claudeops-tier2 GET /api/v1/namespaces/claudeops/secrets'), seen.join('\n'));
      assert.deepEqual([...kube.pods], ['web-2']);
      const sonnet = api.messages.filter((r) => String(r.body.model).includes('sonnet'));
      assert.match(lastToolResult(sonnet[1]!) ?? '', /Forbidden[\s\S]*claudeops:claudeops-tier2/);
      assert.ok(!seen.some((s) => /^(anonymous|unknown token) /.test(s)), seen.join('\n'));

      // What kubectl showed the model: the pods, and tier 1's delete refused by the daemon.
      const haiku = api.messages.filter((r) => String(r.body.model).includes('haiku'));
      const shown = lastToolResult(haiku[1]!) ?? '';
      assert.match(shown, /web-1/, shown);
      assert.match(shown, /read-only/, shown);
      // No token, the daemon's or a tier's, ever reached the model: not in a file, the kubeconfig or the environment.
      const everything = JSON.stringify(api.messages.map((m) => m.body));
      for (const secret of [kube.daemonToken, ...kube.issued.values()])
        assert.ok(!everything.includes(secret), 'a Kubernetes token reached the model');
      assert.match(everything, /kubernetes\.claudeops/);

      // The story says under which account each request went.
      const tier1 = files(sb.resultsDir).find((n) => n.endsWith('tier1.log'))!;
      assert.match(
        read(path.join(sb.resultsDir, tier1)),
        /kubernetes GET \/api\/v1\/namespaces\/claudeops\/pods as claudeops\/claudeops-tier1/,
      );
      assert.equal(cycleSummaries(sb.resultsDir)[0]!.status, 'healthy');
    } finally {
      await Promise.all([api.stop(), kube.stop()]);
      sb.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a token the API server refuses leaves the run without Kubernetes, says why, and the cycle goes on', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-kube-'));
    const kube = new FakeKubeApi(path.join(dir, 'serviceaccount'));
    const api = new FakeApi(
      byModel({
        haiku: [
          bash(`${KUBECTL ?? 'kubectl'} get --raw ${PODS}; true`),
          verdict({
            status: 'healthy',
            summary: 'ok',
            escalate: false,
            checks: [{ id: 'site/web.md', status: 'healthy' }],
          }),
        ],
      }),
    );
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_KUBERNETES_API: await kube.start(),
      CLAUDEOPS_KUBERNETES_CREDENTIALS: kube.dir,
      CLAUDEOPS_TIER1_KUBERNETES_ACCOUNT: 'claudeops-tier9',
    });
    try {
      sb.addRepo('site', { '.claude-ops/checks/web.md': '# web\n' });
      const result = await run(['once'], sb, 120_000);
      assert.equal(result.code, 0, result.stdout.slice(-3000));
      assert.match(
        result.stdout,
        /tier 1's Kubernetes identity: the Kubernetes API refused a token for claudeops\/claudeops-tier9 \(HTTP 403[\s\S]*?serviceaccounts\/token/,
      );
      assert.deepEqual(
        kube.requests.map((r) => `${r.as} ${r.method}`),
        ['claudeops/claudeops POST'],
      );
      const shown = lastToolResult(api.messages.filter((r) => String(r.body.model).includes('haiku'))[1]!) ?? '';
      assert.doesNotMatch(shown, /web-1/, shown);
      // validate asks for the token too, and lists the refusal as a problem with what to fix.
      const checked = await run(['validate'], sb, 120_000);
      assert.equal(checked.code, 2, checked.stdout);
      assert.match(checked.stdout, /tier 1\s+claudeops-tier9: NO TOKEN/);
      assert.match(
        checked.stdout,
        /CLAUDEOPS_TIER1_KUBERNETES_ACCOUNT: the Kubernetes API refused a token for claudeops\/claudeops-tier9 \(HTTP 403/,
      );
    } finally {
      await Promise.all([api.stop(), kube.stop()]);
      sb.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
