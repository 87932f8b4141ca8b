import fs from 'node:fs/promises';
import { FileStore } from '../store/file-store.js';
import { baselineMcpFile, STATE } from '../store/layout.js';
import path from 'node:path';
import { promptVariable, writableProblems, type Config, type TierNumber } from '../config/config.js';
import { configuredProviders } from '../provider/registry.js';
import { envSchema, PROVIDER_OPTIONS, variables, type VarName } from '../config/schema.js';
import { SETTINGS_BY_PROVIDER, type ProviderOptions, type ProviderSetting, type VarSpec } from '../config/spec.js';
import type { ProviderName } from '../provider/names.js';
import os from 'node:os';
import { SECRET_ENV } from '../context/env-context.js';
import { runnable } from '../files/executable.js';
import { expandVars, listCatalog } from '../mcp/catalog.js';
import { mergeMcp } from '../mcp/merge.js';
import { listRepos } from '../files/repos.js';
import { ownership } from '../files/instance.js';
import { requestIdentity } from '../kubernetes/identity.js';
import { TIERS } from '../config/spec.js';
import { countUnderstoodUrls } from '../notify/apprise.js';
import { lookAt, reposDirFinding } from '../config/repos-dir.js';
import { probeSandbox } from '../sandbox/probe.js';
import { listingSandbox } from '../sandbox/open-cage.js';
import { discoverChecks } from '../checks/discover.js';
import { describeProblem, lintChecks } from '../checks/lint.js';

type Row = [what: string, found: string];

interface Findings {
  rows: Row[];
  problems: string[];
  notes: string[];
}

/**
 * `claudeops validate`: checks what a cycle will need (prompts, the CLI, MCP files,
 * checks, writable directories, Apprise) and prints a table; exit 2 listing every problem.
 */
export async function validate(
  config: Config,
  warnings: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  const f: Findings = { rows: [], problems: [], notes: [...warnings] };
  f.rows.push([
    'schedule',
    config.schedule.kind === 'cron'
      ? `cron "${config.schedule.expression}" (UTC)`
      : `every ${config.schedule.seconds} s`,
  ]);
  f.rows.push(['timeout', `${config.timeoutMs / 1000} s per tier run`]);
  f.rows.push(['dry run', String(config.dryRun)]);
  f.rows.push(['max tier', String(config.maxTier)]);
  f.rows.push([
    'tier 1 shards',
    `at most ${config.tier1.shardSize} checks a session, ${config.tier1.parallel} session(s) at once${config.env.CLAUDEOPS_TIER1_PARALLEL === 'auto' ? ' (auto, by memory)' : ''}`,
  ]);
  f.rows.push([
    'system prompt',
    config.systemPromptFile ? `${config.systemPromptFile} (CLAUDEOPS_SYSTEM_PROMPT=ops)` : "the CLI's default",
  ]);
  await checkPrompts(config, f);
  await checkCli(config, f);
  await checkSandbox(config, f);
  await checkMcp(config, f);
  await checkKubernetes(config, f);
  await checkChecks(config, f);
  for (const [name, dir] of [
    ['state directory', config.stateDir],
    ['results directory', config.resultsDir],
  ] as const)
    await checkWritable(name, dir, f);
  await checkWritableOnDisk(config, f);
  await checkNotifications(config, f);
  checkApprovals(config, f);
  checkAlerts(config, f);

  const width = Math.max(...f.rows.map(([k]) => k.length));
  print('claudeops validate');
  for (const [k, v] of f.rows) print(`  ${k.padEnd(width)}  ${v}`);
  for (const n of f.notes) print(`note: ${n}`);
  if (f.problems.length === 0) {
    print('OK: the configuration and everything it points at look usable.');
    return 0;
  }
  print(`${f.problems.length} problem${f.problems.length === 1 ? '' : 's'}:`);
  for (const p of f.problems) print(`  - ${p}`);
  return 2;
}

function checkApprovals(config: Config, f: Findings): void {
  const { approval } = config;
  const gated = approval.proposeTiers.filter((t) => t <= config.maxTier);
  f.rows.push([
    'approval',
    gated.length
      ? `${approval.classes.join(',')}: tier ${gated.join(' and ')} propose${gated.length === 1 ? 's' : ''}, a human approves (proposals expire after ${approval.ttlMs / 1000} s)`
      : 'none: every tier acts within its permissions',
  ]);
  f.rows.push([
    'links',
    approval.publicUrl
      ? `${approval.publicUrl} · signed with ${config.approval.secret ? 'CLAUDEOPS_APPROVAL_SECRET' : `${path.join(config.stateDir, STATE.linkKey)} (made on first use)`}`
      : 'none: set CLAUDEOPS_PUBLIC_URL for approve, deny, acknowledge and silence links',
  ]);
  f.rows.push([
    'maintenance',
    config.notify.maintenance.length
      ? config.notify.maintenance.map((w) => `"${w.cron}" for ${w.durationMs / 60_000} min`).join('; ')
      : 'none',
  ]);
  if (gated.length && config.http.port === 'off') {
    f.notes.push(
      `CLAUDEOPS_APPROVAL=${approval.classes.join(',')} makes tier ${gated.join(' and ')} wait for a human, but CLAUDEOPS_HTTP_PORT=off leaves no console to approve on, so its proposals can only expire; turn the port on, or set CLAUDEOPS_APPROVAL=none to let it act`,
    );
  } else if (gated.length && !approval.publicUrl) {
    f.notes.push(
      'proposals are listed on the console only: CLAUDEOPS_PUBLIC_URL is unset (or the port is picked at random), so notifications carry no approve/deny links',
    );
  }
  if (gated.length && config.notify.urls.length === 0)
    f.notes.push(
      "no one is told about proposals: CLAUDEOPS_APPRISE_URLS is unset; they wait on the console's Approvals page",
    );
}

function checkAlerts(config: Config, f: Findings): void {
  const { alerts, memory, http } = config;
  f.rows.push([
    'alerts',
    alerts.token
      ? `POST /api/v1/alerts on port ${http.port} · a fingerprint starts nothing again for ${alerts.dedupeMs / 1000} s · at most ${alerts.perHour} an hour per source`
      : 'off: set CLAUDEOPS_ALERTS_TOKEN to take alerts from Alertmanager, Grafana or a script',
  ]);
  f.rows.push([
    'memory',
    memory.budgetBytes
      ? `${memory.budgetBytes} bytes of notes a prompt · unpinned notes halve every ${memory.halfLifeDays} d`
      : 'notes are kept but no prompt gets them (CLAUDEOPS_MEMORY_BUDGET=0)',
  ]);
  if (memory.budgetBytes > 0 && memory.budgetBytes < 512)
    f.notes.push(
      `CLAUDEOPS_MEMORY_BUDGET=${memory.budgetBytes} holds few notes or none (a note's line is 150 to 450 bytes): the tiers are mostly told how many were left out. 2048 holds about eight`,
    );
  if (alerts.token && http.port === 'off')
    f.problems.push(
      'CLAUDEOPS_ALERTS_TOKEN is set but CLAUDEOPS_HTTP_PORT is off: nothing takes the alerts. Turn the port on, or unset the token',
    );
  if (alerts.token && (alerts.token === http.consoleToken || alerts.token === http.readToken))
    f.problems.push(
      'CLAUDEOPS_ALERTS_TOKEN is the same as a console token: an alert source would hold the console too. Give it its own (openssl rand -hex 24)',
    );
}

async function checkPrompts(config: Config, f: Findings): Promise<void> {
  if (config.systemPromptFile) {
    await fs
      .access(config.systemPromptFile)
      .catch((e) =>
        f.problems.push(
          `CLAUDEOPS_SYSTEM_PROMPT=ops: ${config.systemPromptFile} cannot be read (${code(e)}); restore it or set CLAUDEOPS_SYSTEM_PROMPT=default`,
        ),
      );
  }
  for (const tier of [1, 2, 3] as TierNumber[]) {
    if (tier > config.maxTier) continue;
    const t = config.tiers[tier];
    const variable = promptVariable(tier);
    try {
      const text = await fs.readFile(t.promptFile, 'utf8');
      f.rows.push([
        `tier ${tier}`,
        `${t.model} · ${t.promptFile} (${text.length} chars) · tools ${t.tools.join(',') || 'none'}`,
      ]);
    } catch (e) {
      f.rows.push([`tier ${tier}`, `${t.model} · ${t.promptFile} MISSING`]);
      f.problems.push(
        `${variable}: ${t.promptFile} cannot be read (${code(e)}); restore the file or point ${variable} at one`,
      );
    }
  }
}

/**
 * Each configured provider's binary and version (the row is named after the provider),
 * and the settings its tiers set that it does not honour, as it declares.
 */
async function checkCli(config: Config, f: Findings): Promise<void> {
  for (const { provider, bin, tiers } of configuredProviders(config)) {
    const declared = PROVIDER_OPTIONS[provider.name as ProviderName];
    const v = await provider.version(bin);
    const used = `(tier${tiers.length > 1 ? 's' : ''} ${tiers.join(', ')})`;
    for (const tier of tiers)
      f.notes.push(
        ...provider.modelWarnings(config.tiers[tier].model).map((w) => `tier ${tier} (${provider.name}): ${w}`),
      );
    f.notes.push(...ignoredSettings(config, declared, tiers));
    if (v.version) f.rows.push([provider.name, `${bin} ${v.version} ${used}`]);
    else {
      f.rows.push([provider.name, `${bin} NOT RUNNABLE ${used}`]);
      f.problems.push(
        `${declared.binVariable}: ${v.error}; install ${declared.cli} or set ${declared.binVariable} to its path`,
      );
    }
  }
}

/** Settings set away from their defaults for tiers on a provider that does not honour them. */
function ignoredSettings(config: Config, declared: ProviderOptions, tiers: TierNumber[]): string[] {
  const notes: string[] = [];
  const set = (name: VarName) =>
    JSON.stringify(config.env[name]) !== JSON.stringify(envSchema.shape[name].parse(undefined));
  const why = (s: ProviderSetting) => (declared.ignores?.[s] ? `: ${declared.ignores[s]}` : '');
  for (const setting of SETTINGS_BY_PROVIDER) {
    if (declared.honours.includes(setting)) continue;
    if (setting in variables) {
      if (set(setting as VarName))
        notes.push(
          `${setting} does not apply to tier${tiers.length > 1 ? 's' : ''} ${tiers.join(', ')} (${declared.name})${why(setting)}`,
        );
      continue;
    }
    for (const tier of tiers) {
      const name = (Object.keys(variables) as VarName[]).find(
        (n) => (variables[n] as VarSpec).key === setting && (variables[n] as VarSpec).tier?.n === tier,
      );
      if (name && set(name)) notes.push(`tier ${tier} (${declared.name}): ${name} is not honoured${why(setting)}`);
    }
  }
  return notes;
}

async function checkSandbox(config: Config, f: Findings): Promise<void> {
  if (config.sandbox === 'off') {
    f.rows.push(['sandbox', 'off (CLAUDEOPS_SANDBOX=off)']);
    f.notes.push(
      'CLAUDEOPS_SANDBOX=off: the agent’s commands run unconfined; tier 1 and dry run rest on the tool set, MCP annotations and deny rules alone',
    );
    return;
  }
  const probe = await probeSandbox();
  if (probe.ok) {
    f.rows.push(['sandbox', `bubblewrap starts (CLAUDEOPS_SANDBOX=${config.sandbox})`]);
    return;
  }
  f.rows.push(['sandbox', 'CANNOT START']);
  f.problems.push(`CLAUDEOPS_SANDBOX=${config.sandbox}: ${probe.why}`);
}

/**
 * Merges the MCP files as a cycle would, then connects to every server as a real MCP
 * client and lists its tools with their annotations. Never prints an env or header value.
 */
async function checkMcp(config: Config, f: Findings): Promise<void> {
  const found = await lookAt(config.reposDir);
  const { problem, note } = reposDirFinding(config, found);
  if (problem) f.problems.push(problem);
  if (note) f.notes.push(note);
  const repos = await listRepos(config.reposDir);
  const shown =
    found === 'directory'
      ? `: ${repos.join(', ') || 'none mounted'}`
      : found === 'not a directory'
        ? ' NOT A DIRECTORY'
        : found.code === 'ENOENT'
          ? ' DOES NOT EXIST'
          : ` UNREADABLE (${found.code})`;
  f.rows.push(['repos', `${config.reposDir}${shown}`]);
  if (config.instance.count > 1) f.rows.push(['instance', ownership(config.instance, repos)]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'claudeops-validate-'));
  try {
    const mcp = await mergeMcp({
      baselineFile: baselineMcpFile(config.appDir),
      reposDir: config.reposDir,
      trustedRepos: config.mcpTrustedRepos,
      instance: config.instance,
      // A store of its own, in a scratch directory: validating leaves the daemon's state alone.
      store: new FileStore(dir, dir),
      allowOverride: config.mcpAllowOverride,
      inheritEnv: config.mcpInheritEnv,
      secretEnv: SECRET_ENV,
    });
    for (const w of mcp.warnings) f.problems.push(`MCP: ${w}`);
    const catalog = await listCatalog(mcp.entries, {
      cwd: config.appDir,
      timeoutMs: 15_000,
      plain: mcp.plain,
      sandbox: config.sandbox !== 'off' && (await probeSandbox()).ok ? listingSandbox(config) : undefined,
    });
    f.rows.push([
      'MCP servers',
      mcp.servers.length ? `${mcp.servers.length} merged, each started or reached as a real MCP client` : 'none',
    ]);
    for (const name of mcp.servers) {
      const plain = mcp.plain[name]!;
      const what = plain.url !== undefined ? `${plain.type} ${redactUrl(plain.url)}` : `stdio ${plain.command}`;
      const listed = catalog[name]!;
      if (listed.ok) {
        f.rows.push([`  ${name}`, `${mcp.origin[name]} · ${what} · ${listed.tools.length} tool(s)`]);
        for (const t of listed.tools)
          f.rows.push([
            `    ${t.name}`,
            `readOnlyHint ${t.readOnly}${t.destructive === undefined ? '' : ` · destructiveHint ${t.destructive}`}`,
          ]);
        continue;
      }
      f.rows.push([`  ${name}`, `${mcp.origin[name]} · ${what} · FAILED`]);
      const missing =
        plain.command !== undefined && !runnable(expandVars(plain.command, process.env), process.env.PATH);
      f.problems.push(
        `MCP server "${name}" (${mcp.origin[name]}): ${missing ? `its command "${plain.command}" is not on PATH (install it in the image, e.g. npx comes with Node, uv and bun do not)` : listed.error}`,
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Each tier's Kubernetes account, with a token really requested for it (and dropped). */
async function checkKubernetes(config: Config, f: Findings): Promise<void> {
  const tiers = TIERS.filter((t) => config.tiers[t].kubernetesAccount);
  if (tiers.length === 0) return;
  f.rows.push(['kubernetes', `${config.kubernetes.api}, as ${config.kubernetes.credentialsDir}`]);
  for (const t of tiers) {
    const account = config.tiers[t].kubernetesAccount!;
    try {
      const id = await requestIdentity({ ...config.kubernetes, account, seconds: 600 });
      f.rows.push([`  tier ${t}`, `${id.account}: a short-lived token was issued`]);
    } catch (e) {
      f.rows.push([`  tier ${t}`, `${account}: NO TOKEN`]);
      f.problems.push(`CLAUDEOPS_TIER${t}_KUBERNETES_ACCOUNT: ${(e as Error).message}`);
    }
  }
}

/** A URL without its credentials or query, which may carry tokens. */
const redactUrl = (url: string): string => url.replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '');

/** Every check with its id, service and severity, and what is wrong with any of them (file and line). */
async function checkChecks(config: Config, f: Findings): Promise<void> {
  const set = await discoverChecks({
    appDir: config.appDir,
    reposDir: config.reposDir,
    disable: config.checks.disable,
    instance: config.instance,
  });
  f.rows.push([
    'checks',
    `${set.checks.length} check(s)${set.disabled.length ? `, ${set.disabled.length} disabled by CLAUDEOPS_CHECKS_DISABLE` : ''}; ${set.playbooks.length} playbook(s), ${set.skills.length} skill(s), ${set.manifests.length} manifest(s)`,
  ]);
  const review = config.probes.reviewMs;
  f.rows.push([
    'probes',
    `${set.checks.filter((c) => c.parsed.probes.length).length} of ${set.checks.length} check(s) have probes, run by the daemon each cycle (${config.probes.timeoutMs / 1000} s each); while they pass, tier 1 reviews them ${review === 'always' ? 'every cycle (CLAUDEOPS_MODEL_REVIEW=always)' : `every ${review / 3_600_000} h (CLAUDEOPS_MODEL_REVIEW)`}`,
  ]);
  for (const c of [...set.checks, ...set.disabled]) {
    const off = set.disabled.includes(c) ? ' · DISABLED' : '';
    const thresholds =
      c.failureThreshold || c.successThreshold
        ? ` · thresholds ${c.failureThreshold ?? config.checks.failureThreshold}/${c.successThreshold ?? config.checks.successThreshold}`
        : '';
    f.rows.push([
      `  ${c.id}`,
      `${c.title} · service ${c.services.join(', ') || '(named per result)'} · severity ${c.severity ?? 'unset'}${thresholds}${probes(c.parsed.probes.length)}${off}`,
    ]);
  }
  for (const p of set.playbooks) f.rows.push([`  playbook`, `${p.file} · tier ${p.tier}+`]);
  for (const s of set.skills)
    f.rows.push([
      `  skill`,
      `${s.name} · ${s.kind === 'dir' ? path.join(s.source, s.main) : s.source} · tier ${s.tier}+`,
    ]);
  for (const m of set.manifests)
    f.rows.push([
      `  manifest`,
      `${m.file}${m.playbookTier ? ` · playbooks need tier ${m.playbookTier}` : ''}${m.readOnly ? ' · repo read-only' : ''}`,
    ]);
  for (const p of lintChecks(set)) f.problems.push(`check ${describeProblem(p)}`);
  for (const n of set.notes) f.notes.push(describeProblem(n));
  if (set.checks.length === 0) f.notes.push('no check files found: tier 1 will have nothing to check');
}

const probes = (n: number): string => (n ? ` · ${n} probe${n > 1 ? 's' : ''}` : '');

async function checkWritable(name: string, dir: string, f: Findings): Promise<void> {
  const probe = path.join(dir, `.claudeops-validate-${process.pid}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(probe, 'ok');
    await fs.rm(probe);
    f.rows.push([name, `${dir} (writable)`]);
  } catch (e) {
    f.rows.push([name, `${dir} NOT WRITABLE`]);
    const uid = process.getuid?.();
    f.problems.push(
      `${name} ${dir} is not writable (${code(e)}); make it writable for the daemon's user${uid === undefined ? '' : ` (uid ${uid}: chown ${uid} on the host directory)`}`,
    );
  }
}

/**
 * The configuration refuses writable paths that cover what the daemon reads or runs, by
 * path alone; here the same rule runs on the paths as they resolve on disk, so a symlink
 * cannot lead a writable path into a repo's .claude-ops/ or the app directory.
 */
async function checkWritableOnDisk(config: Config, f: Findings): Promise<void> {
  const tiers = ([2, 3] as const).filter((t) => t <= config.maxTier);
  f.rows.push([
    'writable',
    tiers.map((t) => `tier ${t}: ${config.tiers[t].writable.join(', ') || 'none'}`).join(' · ') || 'none (max tier 1)',
  ]);
  const real = async (p: string): Promise<string> => {
    if (!path.isAbsolute(p)) return p;
    try {
      return await fs.realpath(p);
    } catch {
      const parent = path.dirname(p);
      return parent === p ? p : path.join(await real(parent), path.basename(p));
    }
  };
  const onTier = async (t: TierNumber) => ({
    ...config.tiers[t],
    promptFile: await real(config.tiers[t].promptFile),
    writable: await Promise.all(config.tiers[t].writable.map(real)),
  });
  const onDisk: Config = {
    ...config,
    appDir: await real(config.appDir),
    stateDir: await real(config.stateDir),
    resultsDir: await real(config.resultsDir),
    reposDir: await real(config.reposDir),
    dotenvFile: await real(config.dotenvFile),
    systemPromptFile: config.systemPromptFile && (await real(config.systemPromptFile)),
    tiers: { 1: await onTier(1), 2: await onTier(2), 3: await onTier(3) },
    writableConfigOk: await Promise.all(config.writableConfigOk.map(real)),
  };
  const lexical = writableProblems(config);
  const found = writableProblems(onDisk);
  const links = [
    ...new Map(
      ([2, 3] as const)
        .flatMap((t) => config.tiers[t].writable.map((p, i) => [p, onDisk.tiers[t].writable[i]!] as const))
        .filter(([p, r]) => p !== r),
    ),
  ];
  // Each message as the operator wrote the path, with where it leads on disk.
  const told = (message: string): string => {
    const via = links.filter(([, r]) => message.includes(`"${r}"`));
    const text = via.reduce((m, [p, r]) => m.split(`"${r}"`).join(`"${p}"`), message);
    return `${text} (on disk, through symlinks${via.length ? `: ${via.map(([p, r]) => `"${p}" leads to ${r}`).join(', ')}` : ''})`;
  };
  for (const problem of found.problems) if (!lexical.problems.includes(problem)) f.problems.push(told(problem));
  for (const warning of found.warnings) if (!lexical.warnings.includes(warning)) f.notes.push(told(warning));
}

async function checkNotifications(config: Config, f: Findings): Promise<void> {
  const urls = config.notify.urls;
  if (urls.length === 0) {
    f.rows.push(['notifications', 'off (CLAUDEOPS_APPRISE_URLS unset)']);
    return;
  }
  const r = await countUnderstoodUrls(config.notify.bin, urls);
  if (r.error) {
    f.rows.push(['notifications', `${config.notify.bin} NOT RUNNABLE`]);
    f.problems.push(`CLAUDEOPS_APPRISE_BIN: ${r.error}; install apprise or unset CLAUDEOPS_APPRISE_URLS`);
  } else if (r.understood < urls.length) {
    f.rows.push(['notifications', `Apprise understood ${r.understood} of ${urls.length} URL(s)`]);
    f.problems.push(
      `CLAUDEOPS_APPRISE_URLS: Apprise cannot parse ${urls.length - r.understood} of the ${urls.length} URL(s) (not shown: they hold credentials); check their schemes against \`apprise --details\``,
    );
  } else f.rows.push(['notifications', `${urls.length} Apprise URL(s), all understood (dry run, nothing sent)`]);
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);
