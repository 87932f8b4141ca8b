// deploy/kubernetes: each kustomization renders with the real `kubectl kustomize`, every
// rendered object passes the Kubernetes OpenAPI schema (kubernetes-models), the settings
// the pod gets are the config schema's and load without a problem, and the RBAC and the
// pod's confinement are what the README promises.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadConfig, packageRoot } from '../../src/config/config.js';
import { KUBERNETES_ENV_FILE, renderKubernetesEnv } from '../../src/config/env-example.js';
import { variables, type VarSpec } from '../../src/config/schema.js';

const ROOT = path.join(packageRoot(), 'deploy', 'kubernetes');
const BUILDS = ['base', 'overlays/single', 'overlays/sharded', 'overlays/single-monitored'] as const;
type Build = (typeof BUILDS)[number];
const WORKLOADS: Record<string, { build: Build; kind: 'Deployment' | 'StatefulSet' }> = {
  single: { build: 'overlays/single', kind: 'Deployment' },
  sharded: { build: 'overlays/sharded', kind: 'StatefulSet' },
};
const NAMESPACE = 'claudeops';
const TIER_ACCOUNTS = ['claudeops-tier1', 'claudeops-tier2', 'claudeops-tier3'];

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};
type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] };
type EnvVar = { name: string; value?: string; valueFrom?: any };

const renders = new Map<Build, K8sObject[]>();

/** The objects `kubectl kustomize` renders for a kustomization under deploy/kubernetes (once per run). */
function render(build: Build): K8sObject[] {
  const cached = renders.get(build);
  if (cached) return cached;
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', path.join(ROOT, build)], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error('kubectl is not installed: these tests render deploy/kubernetes with `kubectl kustomize`');
    throw new Error(`kubectl kustomize ${build} failed: ${err.stderr || err.message}`);
  }
  const objects = parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
  renders.set(build, objects);
  return objects;
}

function find(build: Build, kind: string, name: string): K8sObject {
  const found = render(build).find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${build} renders no ${kind} ${name}`);
  return found;
}

/** The kubernetes-models class for an object: the package's `<group>/<version>/<Kind>` module. */
async function modelOf(o: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const pkg = group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const specifier = [pkg, group, version, o.kind].filter(Boolean).join('/');
  const mod = (await import(specifier)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = mod[o.kind];
  assert.ok(model, `no model for ${o.apiVersion} ${o.kind} (${specifier})`);
  return model;
}

async function validate(o: K8sObject): Promise<void> {
  const Model = await modelOf(o);
  new Model(o).validate();
}

const podOf = (workload: keyof typeof WORKLOADS) => {
  const { build, kind } = WORKLOADS[workload]!;
  const object = find(build, kind, 'claudeops');
  return { object, pod: object.spec.template.spec, build };
};
const container = (pod: any, name: string): any => {
  const c = [...pod.containers, ...(pod.initContainers ?? [])].find((x: { name: string }) => x.name === name);
  assert.ok(c, `no container ${name}`);
  return c;
};
const envValue = (c: any, name: string): string | undefined =>
  (c.env as EnvVar[] | undefined)?.find((e) => e.name === name)?.value;
const mount = (c: any, mountPath: string): any => c.volumeMounts.find((m: any) => m.mountPath === mountPath);
const volume = (pod: any, name: string): any => pod.volumes.find((v: any) => v.name === name);

describe('deploy/kubernetes renders', () => {
  for (const build of BUILDS) {
    it(`kubectl kustomize ${build}`, () => {
      const objects = render(build);
      assert.ok(objects.length > 10, `${build} rendered only ${objects.length} objects`);
      assert.ok(!objects.some((o) => o.kind === 'Secret'), 'no Secret is committed: the operator creates it');
    });
  }

  it('each overlay renders its workload, storage and extras', () => {
    find('overlays/single', 'Deployment', 'claudeops');
    find('overlays/single', 'PersistentVolumeClaim', 'claudeops-state');
    find('overlays/single', 'PersistentVolumeClaim', 'claudeops-results');
    find('overlays/sharded', 'StatefulSet', 'claudeops');
    assert.equal(find('overlays/sharded', 'Service', 'claudeops-headless').spec.clusterIP, 'None');
    find('overlays/single-monitored', 'ServiceMonitor', 'claudeops');
    find('overlays/single-monitored', 'Deployment', 'claudeops');
  });

  it('puts every namespaced object in claudeops, but the tier-2 RoleBindings where they say', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    for (const build of BUILDS)
      for (const o of render(build)) {
        if (clusterScoped.includes(o.kind)) assert.equal(o.metadata.namespace, undefined);
        else if (o.kind === 'RoleBinding' && o.roleRef.name === 'claudeops-tier2-restart')
          assert.equal(o.metadata.namespace, 'default');
        else assert.equal(o.metadata.namespace, NAMESPACE, `${build}: ${o.kind} ${o.metadata.name}`);
      }
  });
});

describe('deploy/kubernetes against the Kubernetes OpenAPI schema (kubernetes-models)', () => {
  for (const build of BUILDS)
    it(`every object of ${build} validates`, async () => {
      for (const o of render(build))
        await assert.doesNotReject(validate(o), `${build}: ${o.kind} ${o.metadata.name} is invalid`);
    });

  it('the schema knows the pod fields the cage needs', async () => {
    const { object } = podOf('single');
    const broken = structuredClone(object);
    container(broken.spec.template.spec, 'claudeops').securityContext.procMount = 'Bogus';
    await assert.rejects(validate(broken), /procMount/);
    broken.spec.template.spec.hostUsers = 'no';
    await assert.rejects(validate(broken), /hostUsers/);
  });

  it('rejects a broken object', async () => {
    const broken = { ...structuredClone(podOf('single').object) };
    broken.spec.replicas = 'one';
    await assert.rejects(validate(broken), /replicas must be integer/);
  });
});

describe('deploy/kubernetes settings are the config schema', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('the committed claudeops.env is what renderKubernetesEnv() writes now (npm run env-example)', () => {
    assert.equal(fs.readFileSync(path.join(packageRoot(), KUBERNETES_ENV_FILE), 'utf8'), renderKubernetesEnv());
  });

  for (const workload of Object.keys(WORKLOADS))
    it(`${workload}: every setting the daemon gets is a schema variable, and they load without a problem`, () => {
      const { pod, build } = podOf(workload);
      const daemon = container(pod, 'claudeops');
      const configMapName = daemon.envFrom.find((e: any) => e.configMapRef).configMapRef.name as string;
      const data = find(build, 'ConfigMap', configMapName).data as Record<string, string>;
      const literal = daemonEnv(daemon.env as EnvVar[]);
      for (const name of [...Object.keys(data), ...Object.keys(literal)])
        assert.ok(name in variables, `${name} is not a variable of src/config/schema.ts`);
      for (const name of Object.keys(data))
        assert.ok(!(variables as Record<string, VarSpec>)[name]!.secret, `${name} is a secret, not for a ConfigMap`);

      assert.deepEqual(
        [literal.CLAUDEOPS_STATE_DIR, literal.CLAUDEOPS_RESULTS_DIR, literal.CLAUDEOPS_REPOS_DIR],
        ['/state', '/results', '/repos'],
      );
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-k8s-'));
      dirs.push(tmp);
      const local = Object.fromEntries(
        ['state', 'results', 'repos'].map((d) => [`CLAUDEOPS_${d.toUpperCase()}_DIR`, path.join(tmp, d)]),
      );
      Object.values(local).forEach((d) => fs.mkdirSync(d));
      const environment = {
        ...data,
        ...literal,
        ...local,
        ANTHROPIC_API_KEY: 'sk-ant-test',
        CLAUDEOPS_CONSOLE_TOKEN: 'a-console-token-for-the-test',
      };
      const { config, warnings } = loadConfig(environment, tmp);
      assert.deepEqual(warnings, []);
      assert.equal(config.tiers[1].kubernetesAccount, 'claudeops-tier1');
      if (workload === 'sharded') assert.deepEqual([config.instance.index, config.instance.count], [1, 3]);
    });

  it('sharded: the instance count is the replica count', () => {
    const { object, pod } = podOf('sharded');
    const instance = envValue(container(pod, 'claudeops'), 'CLAUDEOPS_INSTANCE');
    assert.equal(instance, `$(POD_NAME)/${object.spec.replicas}`);
  });
});

/**
 * The daemon container's literal env, `$(VAR)` references expanded as the kubelet does
 * (POD_NAME as a StatefulSet's first pod). POD_NAME itself is only there to be referenced.
 */
function daemonEnv(env: EnvVar[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    if (e.name === 'POD_NAME') {
      assert.equal(e.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
      assert.ok(
        env.some((x) => x.value?.includes('$(POD_NAME)')),
        'POD_NAME is set but nothing refers to it',
      );
      continue;
    }
    assert.equal(typeof e.value, 'string', `${e.name}: the daemon's settings are literal values`);
    out[e.name] = e.value!.replace(/\$\(POD_NAME\)/g, 'claudeops-0');
  }
  return out;
}

describe('deploy/kubernetes RBAC', () => {
  const base = 'base' as const;
  const subjectsOf = (o: K8sObject) => (o.subjects as { kind: string; name: string; namespace: string }[]) ?? [];

  it("the daemon's Role allows only creating tokens for the three tier accounts", () => {
    const role = find(base, 'Role', 'claudeops');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: TIER_ACCOUNTS, verbs: ['create'] },
    ]);
    const binding = find(base, 'RoleBinding', 'claudeops');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'claudeops' });
    assert.deepEqual(subjectsOf(binding), [{ kind: 'ServiceAccount', name: 'claudeops', namespace: NAMESPACE }]);
    const daemonBindings = render(base).filter((o) => subjectsOf(o).some((s) => s.name === 'claudeops'));
    assert.deepEqual(
      daemonBindings.map((o) => `${o.kind}/${o.metadata.name}`),
      ['RoleBinding/claudeops'],
      'the daemon needs nothing else',
    );
  });

  it('tier 1 reads (get, list, watch) an explicit list of resources, never secrets and no wildcard', () => {
    const rules = find(base, 'ClusterRole', 'claudeops-tier1').rules as Rule[];
    for (const rule of rules) {
      assert.deepEqual(rule.verbs, ['get', 'list', 'watch']);
      for (const word of [...(rule.apiGroups ?? []), ...(rule.resources ?? [])]) {
        assert.ok(!word.includes('*'), `wildcard ${word}`);
        assert.ok(!/^secrets(\/|$)/.test(word), 'tier 1 reads no secrets');
      }
      assert.equal(rule.resourceNames, undefined);
    }
    const granted = rules.flatMap((r) => r.resources!.map((res) => `${r.apiGroups![0]}/${res}`));
    for (const r of ['/pods', '/pods/log', '/nodes', '/configmaps', 'apps/deployments', 'metrics.k8s.io/pods'])
      assert.ok(granted.includes(r), `tier 1 reads ${r}`);
  });

  it('tiers 2 and 3 read what tier 1 reads; every tier is bound to its own account', () => {
    for (const account of TIER_ACCOUNTS) {
      const reads = render(base).filter(
        (o) =>
          o.kind === 'ClusterRoleBinding' &&
          o.roleRef.name === 'claudeops-tier1' &&
          subjectsOf(o).some((s) => s.name === account),
      );
      assert.equal(reads.length, 1, `${account} reads through claudeops-tier1`);
      const sa = find(base, 'ServiceAccount', account);
      assert.equal(sa.automountServiceAccountToken, false);
    }
  });

  it('tier 2 restarts (patch workloads, delete pods) only in the namespaces bound per RoleBinding', () => {
    const role = find(base, 'ClusterRole', 'claudeops-tier2-restart');
    assert.deepEqual(role.rules, [
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
    ]);
    const bindings = render(base).filter((o) => o.roleRef?.name === 'claudeops-tier2-restart');
    assert.deepEqual(
      bindings.map((o) => `${o.kind}/${o.metadata.namespace}`),
      ['RoleBinding/default'],
    );
    assert.deepEqual(subjectsOf(bindings[0]!), [
      { kind: 'ServiceAccount', name: 'claudeops-tier2', namespace: NAMESPACE },
    ]);
  });

  it("tier 3's own grant is empty until the operator fills it", () => {
    assert.deepEqual(find(base, 'ClusterRole', 'claudeops-tier3-granted').rules, []);
    const binding = find(base, 'ClusterRoleBinding', 'claudeops-tier3-granted');
    assert.deepEqual(subjectsOf(binding), [{ kind: 'ServiceAccount', name: 'claudeops-tier3', namespace: NAMESPACE }]);
  });

  it('the NetworkPolicy lets in only the console port and out only DNS, the API server and HTTPS', () => {
    const policy = find(base, 'NetworkPolicy', 'claudeops');
    assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
    const ports = (rules: { ports: { port: number }[] }[]) => new Set(rules.flatMap((r) => r.ports.map((p) => p.port)));
    assert.deepEqual([...ports(policy.spec.ingress)], [9090]);
    assert.deepEqual([...ports(policy.spec.egress)].sort(), [443, 53, 6443].sort());
  });
});

describe('deploy/kubernetes pod', () => {
  for (const workload of Object.keys(WORKLOADS))
    it(`${workload}: the pod is confined as documented, and the daemon relaxes only what its cage needs`, () => {
      const { pod } = podOf(workload);
      assert.equal(pod.serviceAccountName, 'claudeops');
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.hostUsers, false);
      assert.equal(pod.terminationGracePeriodSeconds, 40);
      assert.deepEqual(pod.securityContext, {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
      });
      const daemon = container(pod, 'claudeops');
      assert.equal(daemon.image, 'claudeops:latest');
      assert.deepEqual(daemon.securityContext, {
        procMount: 'Unmasked',
        seccompProfile: { type: 'Unconfined' },
        appArmorProfile: { type: 'Unconfined' },
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
      });
      for (const dir of ['/tmp', '/home/claudeops'])
        assert.deepEqual(volume(pod, mount(daemon, dir).name).emptyDir, {}, `${dir} is an emptyDir`);
      assert.equal(mount(daemon, '/var/run/secrets/kubernetes.io/serviceaccount').readOnly, true);
      for (const probe of [daemon.livenessProbe, daemon.readinessProbe])
        assert.deepEqual(probe.httpGet, { path: '/healthz', port: 'http' });
      const { initialDelaySeconds, periodSeconds, failureThreshold } = daemon.livenessProbe;
      assert.deepEqual([initialDelaySeconds, periodSeconds, failureThreshold], [120, 60, 3]);
      for (const n of [1, 2, 3])
        assert.equal(envValue(daemon, `CLAUDEOPS_TIER${n}_KUBERNETES_ACCOUNT`), `claudeops-tier${n}`);
    });

  for (const workload of Object.keys(WORKLOADS))
    it(`${workload}: git-sync links each repo as one directory of the daemon's read-only repos dir`, () => {
      const { pod } = podOf(workload);
      const daemon = container(pod, 'claudeops');
      const reposDir = envValue(daemon, 'CLAUDEOPS_REPOS_DIR')!;
      const reposMount = mount(daemon, reposDir);
      assert.equal(reposMount.readOnly, true, 'the daemon mounts the repos read-only');
      const syncers = (pod.initContainers as any[]).filter((c) => envValue(c, 'GITSYNC_REPO'));
      assert.ok(syncers.length > 0, 'a git-sync sidecar');
      for (const sync of syncers) {
        assert.equal(sync.image, 'registry.k8s.io/git-sync/git-sync:v4.4.0');
        assert.equal(sync.restartPolicy, 'Always', 'a sidecar');
        assert.ok(sync.securityContext.runAsUser > 0 && sync.securityContext.readOnlyRootFilesystem);
        const syncMount = sync.volumeMounts.find((m: any) => m.name === reposMount.name);
        assert.equal(syncMount.mountPath, reposDir, 'git-sync sees the repos where the daemon does');
        const link = envValue(sync, 'GITSYNC_LINK')!;
        const root = envValue(sync, 'GITSYNC_ROOT')!;
        assert.equal(path.posix.dirname(link), reposDir, `${link} is one directory under ${reposDir}`);
        assert.ok(path.posix.relative(reposDir, root).startsWith('.'), `${root} is hidden from the daemon's repo list`);
        assert.equal(envValue(sync, 'GITSYNC_PERIOD'), '60s');
      }
    });

  it('single: one pod at a time, on its two claims', () => {
    const { object, pod } = podOf('single');
    assert.equal(object.spec.replicas, 1);
    assert.deepEqual(object.spec.strategy, { type: 'Recreate' });
    assert.equal(volume(pod, 'state').persistentVolumeClaim.claimName, 'claudeops-state');
    assert.equal(volume(pod, 'results').persistentVolumeClaim.claimName, 'claudeops-results');
  });

  it('sharded: each instance has its own state and results', () => {
    const { object } = podOf('sharded');
    assert.deepEqual(
      object.spec.volumeClaimTemplates.map((t: K8sObject) => t.metadata.name),
      ['state', 'results'],
    );
    assert.equal(object.spec.serviceName, 'claudeops-headless');
  });

  it('the ServiceMonitor scrapes /metrics on the Service port named http', () => {
    const monitor = find('overlays/single-monitored', 'ServiceMonitor', 'claudeops');
    assert.deepEqual(
      monitor.spec.endpoints.map((e: any) => [e.port, e.path]),
      [['http', '/metrics']],
    );
    const service = find('overlays/single-monitored', 'Service', 'claudeops');
    assert.deepEqual(
      service.spec.ports.map((p: any) => [p.name, p.port]),
      [['http', 9090]],
    );
    assert.deepEqual(monitor.spec.selector.matchLabels, service.metadata.labels);
  });
});
