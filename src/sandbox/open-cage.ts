import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { splitRepos } from '../files/instance.js';
import { listRepos } from '../files/repos.js';
import type { KubeIdentity } from '../kubernetes/identity.js';
import { kubeconfig } from '../kubernetes/kubeconfig.js';
import { SECRET_ENV } from '../context/env-context.js';
import { expandVars, VAR_REFERENCE, type ServerEntry } from '../mcp/catalog.js';
import { toolPrefix } from '../mcp/merge.js';
import { ApiProxy, type ApiRoute } from './api-proxy.js';
import { CAGE_RUN_DIR, caged, installDirs, type Bridge, type CageSpec } from './cage.js';
import { CageFront } from './cage-front.js';
import type { ListingSandbox } from '../mcp/catalog.js';
import { DOCKER_ALIAS_HOST, EgressProxy, type EgressPolicy } from './egress-proxy.js';
import { McpRelay } from './mcp-relay.js';

/**
 * A cage's one bridge: a port on every loopback address inside it, to the daemon's front
 * (cage-front.ts), where the address a request names picks the server: the egress proxy,
 * the model API's proxy, or the relay to remote MCP servers.
 */
const BRIDGE: Bridge = { host: '0.0.0.0', port: 3128, socket: 'cage.sock' };
const EGRESS = { host: '127.0.0.1', port: BRIDGE.port };
const API = { host: '127.0.0.2', port: BRIDGE.port };
const MCP = { host: '127.0.0.3', port: BRIDGE.port };
const KUBECONFIG_FILE = 'kubeconfig';

/** What a cage lets its processes do, in the daemon's terms (a tier's policy, or an approved proposal's). */
export interface CagePolicy {
  readOnly: boolean;
  /** Hosts reachable through the egress proxy. */
  network: string[];
  writable: string[];
  /** Hidden even inside what is shown (playbooks above the tier). */
  denyRead: string[];
  /** Read-only even inside a writable path. */
  denyWrite: string[];
  /** MCP servers (mcp__server) or tools (mcp__server__tool) the run may call, and may not. */
  mcpAllowed: string[];
  mcpDenied: string[];
}

export interface CageInput {
  config: Config;
  policy: CagePolicy;
  workDir: string;
  /** The program the cage runs, when it lives outside the system directories. */
  bin?: string;
  /** The provider's API, as the cage reaches it; undefined when no credential is configured or none is needed. */
  api?: (innerOrigin: string) => { route: ApiRoute; env: Record<string, string> } | undefined;
  /** Spend already counted today, for the daily budget. */
  spentTodayUsd?: number;
  mcpEntries?: Record<string, ServerEntry>;
  /** The tier's Kubernetes identity: its requests pass under it, and the run gets a kubeconfig without it. */
  kubernetes?: { tier: number; identity: KubeIdentity };
  onEvent: (line: string, refused: boolean) => void;
}

export interface OpenCage {
  spec: CageSpec;
  /** Variables the run's process gets inside the cage (no secret among them). */
  env: Record<string, string>;
  /** The MCP servers as the cage reaches them: remote ones through the relay, without their headers. */
  mcpEntries: Record<string, ServerEntry>;
  /** Where the provider puts files the CLI reads (settings, MCP config): read-only inside. */
  filesDir: { host: string; inner: string };
  close: () => Promise<void>;
}

/**
 * What a run's egress proxy lets through: the policy's hosts and methods, the configured
 * Docker API and TLS hosts (and `tlsHosts`, for a client the daemon itself speaks TLS
 * over), never the daemon's own console port.
 */
export function egressPolicy(
  config: Config,
  policy: Pick<CagePolicy, 'network' | 'readOnly'>,
  tlsHosts: string[] = [],
): EgressPolicy {
  return {
    hosts: policy.network,
    readOnly: policy.readOnly,
    docker: config.dockerHost,
    tlsHosts: [...config.readOnlyTlsHosts, ...tlsHosts],
    ownPorts: typeof config.http.port === 'number' && config.http.port > 0 ? [config.http.port] : [],
  };
}

/**
 * Everything around one caged run: its run directory with the sockets of the egress
 * proxy, the API proxy and the MCP relay, and what the cage may see. Nothing secret
 * goes in: the API credential and remote MCP servers' headers stay with the daemon.
 */
export async function openCage(input: CageInput): Promise<OpenCage> {
  const { config, policy } = input;
  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-cage-'));
  const kube = input.kubernetes?.identity;
  const egress = new EgressProxy(
    { ...egressPolicy(config, policy), ...(kube ? { kubernetes: kube } : {}) },
    input.onEvent,
  );
  const api = input.api?.(`http://${API.host}:${API.port}`);
  const mcpEntries = input.mcpEntries ?? {};
  const apiProxy = api ? budgetedApiProxy(input, api.route) : undefined;
  const relayed = relayEntries(mcpEntries, policy);
  const relay = relayed.servers.length ? new McpRelay(relayed.servers, input.onEvent) : undefined;
  const front = new CageFront({ api: API.host, mcp: MCP.host }, egress, apiProxy, relay);
  const filesDir = path.join(runDir, 'files');
  await Promise.all([fs.mkdir(filesDir), front.listen(path.join(runDir, BRIDGE.socket))]);
  if (input.kubernetes)
    await fs.writeFile(
      path.join(filesDir, KUBECONFIG_FILE),
      kubeconfig(input.kubernetes.tier, input.kubernetes.identity.namespace),
    );
  const env = cageEnv(input, { ...passedMcpVariables(mcpEntries), ...api?.env });
  const spec: CageSpec = {
    workDir: input.workDir,
    writable: policy.readOnly ? [] : policy.writable,
    readable: cageReadable(config, await cageRepos(config), input.bin, mcpEntries),
    hidden: [
      config.stateDir,
      config.resultsDir,
      config.dotenvFile,
      path.join(process.cwd(), '.env'),
      ...policy.denyRead,
    ],
    readOnly: policy.denyWrite,
    runDir,
    bridges: [BRIDGE],
  };
  return {
    spec,
    env,
    mcpEntries: relayed.entries,
    filesDir: { host: filesDir, inner: `${CAGE_RUN_DIR}/files` },
    close: async () => {
      await Promise.all([front.close(), fs.rm(runDir, { recursive: true, force: true }).catch(() => undefined)]);
    },
  };
}

/** The model API's proxy, which refuses once the run's or the day's budget is spent. */
function budgetedApiProxy(input: CageInput, route: ApiRoute): ApiProxy {
  const perRun = input.config.budget.perRunUsd;
  const daily = input.config.budget.dailyUsd;
  return new ApiProxy({
    route,
    refuse: (spent) =>
      perRun !== undefined && spent >= perRun
        ? `this run's budget of $${perRun} is spent ($${spent.toFixed(4)}; CLAUDEOPS_MAX_BUDGET_USD)`
        : daily !== undefined && (input.spentTodayUsd ?? 0) + spent >= daily
          ? `the daily budget of $${daily} is spent (CLAUDEOPS_DAILY_BUDGET_USD)`
          : undefined,
    onEvent: (line, refused) => input.onEvent(`api ${line}`, refused),
  });
}

/** What a caged run's processes are told: the proxies, and where the Docker and Kubernetes APIs are. */
function cageEnv(input: CageInput, base: Record<string, string>): Record<string, string> {
  const proxyUrl = `http://${EGRESS.host}:${EGRESS.port}`;
  const env: Record<string, string> = {
    ...base,
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    NO_PROXY: `${API.host},${MCP.host}`,
    no_proxy: `${API.host},${MCP.host}`,
    ...(input.config.dockerHost ? { DOCKER_HOST: DOCKER_ALIAS_HOST } : {}),
    ...(input.kubernetes ? { KUBECONFIG: `${CAGE_RUN_DIR}/files/${KUBECONFIG_FILE}` } : {}),
  };
  // The CLI's own directory on PATH, as it is in the image, so the agent may ask its version.
  if (input.bin && path.isAbsolute(input.bin))
    env.PATH = `${path.dirname(input.bin)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  return env;
}

/** The repos a run may read: this instance's, or the whole directory when there is one instance. */
async function cageRepos(config: Config): Promise<string[]> {
  if (config.instance.count === 1) return [config.reposDir];
  return splitRepos(await listRepos(config.reposDir), config.instance).owned.map((r) => path.join(config.reposDir, r));
}

/**
 * What the cage may read besides the system: the repos (this instance's), the app's checks, runbook and
 * installed packages (never the app dir whole: the operator's .env may sit there), the
 * CLI's and node's installs, and any absolute path a stdio MCP server names (the
 * daemon's own directories and .env stay hidden inside those).
 */
function cageReadable(
  config: Config,
  repos: string[],
  bin: string | undefined,
  entries: Record<string, ServerEntry>,
): string[] {
  const named = stdioStrings(entries)
    .map((p) => expandVars(p, process.env))
    .filter((p) => path.isAbsolute(p) && !p.includes('${'))
    .map(packageRoot)
    .filter((p) => p !== '/');
  const app = ['checks', 'CLAUDE.md', 'node_modules', 'dist', 'prompts'].map((p) => path.join(config.appDir, p));
  return [...new Set([...repos, ...app, ...installDirs(...(bin ? [bin] : []), process.execPath), ...named])];
}

/**
 * What to show for a path a server names: the node_modules or the package it lies in
 * (a script imports its neighbours), else the directory itself or the file's directory.
 */
function packageRoot(file: string): string {
  const i = file.indexOf(`${path.sep}node_modules${path.sep}`);
  if (i >= 0) return file.slice(0, i + '/node_modules'.length);
  const dir = fsSync.existsSync(file) && fsSync.statSync(file).isDirectory() ? file : path.dirname(file);
  for (let up = dir, n = 0; n < 4 && up !== path.dirname(up); n++, up = path.dirname(up)) {
    if (fsSync.existsSync(path.join(up, 'package.json'))) return up;
  }
  return dir;
}

/** The variables stdio servers name with `${VAR}`, which the CLI expands inside the cage: never a daemon secret. */
function passedMcpVariables(entries: Record<string, ServerEntry>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdioStrings(entries).join('\n').matchAll(VAR_REFERENCE)) {
    const name = m[1]!;
    const value = process.env[name];
    if (value !== undefined && !SECRET_ENV.includes(name)) out[name] = value;
  }
  return out;
}

/** Every string a stdio server's entry gives: its command, arguments and environment values. */
function stdioStrings(entries: Record<string, ServerEntry>): string[] {
  return Object.values(entries)
    .filter((e) => e.url === undefined)
    .flatMap((e) => [e.command ?? '', ...(e.args ?? []), ...Object.values(e.env ?? {})]);
}

/** Remote servers pointed at the relay, their URL and headers expanded here; stdio servers as they are. */
function relayEntries(entries: Record<string, ServerEntry>, policy: CagePolicy) {
  const out: Record<string, ServerEntry> = Object.create(null);
  const servers: { name: string; url: string; headers: Record<string, string>; allows: (tool: string) => boolean }[] =
    [];
  for (const [name, e] of Object.entries(entries)) {
    if (e.url === undefined) {
      out[name] = e;
      continue;
    }
    const x = (s: string) => expandVars(s, process.env);
    const prefix = toolPrefix(name);
    const listed = (list: string[], tool: string) => list.includes(prefix) || list.includes(`${prefix}__${tool}`);
    servers.push({
      name,
      url: x(e.url),
      headers: Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k, x(v)])),
      allows: (tool) => listed(policy.mcpAllowed, tool) && !listed(policy.mcpDenied, tool),
    });
    out[name] = {
      type: e.type === 'sse' ? 'sse' : 'http',
      url: `http://${MCP.host}:${MCP.port}/${servers.length - 1}`,
    };
  }
  return { entries: out, servers };
}

const PROXY_VARS = /^(https?_proxy|all_proxy|no_proxy)$/i;

/** The daemon's (secret-free) environment as a cage starts from it: its proxy settings are the cage's own. */
export function cageBaseEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !PROXY_VARS.test(k) && k !== 'HOME'));
}

/** Registries a server started by a package runner fetches from. */
const RUNNER_HOSTS: Record<string, string[]> = {
  npx: ['registry.npmjs.org'],
  bunx: ['registry.npmjs.org'],
  uvx: ['pypi.org', 'files.pythonhosted.org'],
  pipx: ['pypi.org', 'files.pythonhosted.org'],
};

/** The hosts a server's own configuration names (URLs in its arguments and environment), and its package runner's registry. */
export function namedHosts(command: string, texts: string[]): string[] {
  const hosts = texts.flatMap((t) =>
    [...t.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/:\s'"@]+@)?([^/:\s'"?#]+)/gi)].map((m) => m[2]!.toLowerCase()),
  );
  return [...new Set([...hosts, ...(RUNNER_HOSTS[path.basename(command)] ?? [])])];
}

/**
 * Each stdio server, when the daemon lists its tools, in a cage of its own: read-only
 * but for a scratch home, and network only to the hosts its configuration names.
 */
export function listingSandbox(config: Config): ListingSandbox {
  return async (server) => {
    const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-list-'));
    await fs.mkdir(path.join(workDir, 'home'));
    const network = namedHosts(server.command, [...server.args, ...Object.values(server.env)]);
    const policy: CagePolicy = {
      readOnly: true,
      network,
      writable: [],
      denyRead: [],
      denyWrite: [],
      mcpAllowed: [],
      mcpDenied: [],
    };
    const cage = await openCage({
      config,
      workDir,
      policy,
      mcpEntries: { server: { command: server.command, args: server.args, env: server.env } },
      onEvent: () => undefined,
    });
    const cmd = caged(
      { file: server.command, args: server.args, cwd: workDir, env: { ...server.env, ...cage.env }, stdin: '' },
      cage.spec,
      false,
    );
    return {
      server: { command: cmd.file, args: cmd.args, env: cmd.env, cwd: workDir },
      close: async () => {
        await Promise.all([cage.close(), fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined)]);
      },
    };
  };
}
