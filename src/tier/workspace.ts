// Where one tier run happens: its own work dir with the skills it may load, the cage
// around it with its proxies (when sandboxed), and the environment its agent gets.
// Opened before the agent starts, closed (all of it removed) after it ends.
import path from 'node:path';
import type { Config } from '../config/config.js';
import { cliEnvironment, SECRET_ENV } from '../context/env-context.js';
import { tierIdentity } from '../kubernetes/identity.js';
import type { AgentProvider, AgentRun } from '../provider/provider.js';
import { cageBaseEnv, openCage, type OpenCage } from '../sandbox/open-cage.js';
import { makeWorkDir, removeWorkDir } from '../sandbox/workdir.js';
import type { TierPlan } from './plan.js';

export interface WorkspaceInput {
  config: Config;
  plan: TierPlan;
  provider: AgentProvider;
  bin: string;
  runId: string;
  spentTodayUsd: number;
  redactor: AgentRun['redactor'];
  /** A skill that could not be installed. */
  onWarning: (text: string) => void;
  /** A request through the egress proxy, and whether it was refused. */
  onEgress: (line: string, refused: boolean) => void;
}

export interface Workspace {
  run: AgentRun;
  close(): Promise<void>;
}

export async function openWorkspace(input: WorkspaceInput): Promise<Workspace> {
  const { config, plan, provider } = input;
  const { policy } = plan;
  const workDir = await makeWorkDir(input.runId, config.appDir, provider.runbookFile);
  // Where the skills go is the provider's: its CLI's own place for a project's skills.
  for (const p of (await provider.installSkills?.(workDir, plan.skills)) ?? []) input.onWarning(p);
  let cage: OpenCage | undefined;
  try {
    const kubernetes = await tierIdentity(config, plan.tier, plan.containment.sandboxed, input.onWarning);
    cage = plan.containment.sandboxed
      ? await openCage({
          config,
          policy,
          workDir,
          bin: input.bin,
          api: (origin) => provider.api?.(config.env, origin),
          spentTodayUsd: input.spentTodayUsd,
          mcpEntries: plan.mcpEntries,
          ...(kubernetes ? { kubernetes } : {}),
          onEvent: input.onEgress,
        })
      : undefined;
  } catch (e) {
    await removeWorkDir(workDir);
    throw e;
  }
  const local = path.join(workDir, '.claudeops');
  const base = cliEnvironment(
    config,
    plan.context,
    {
      TMPDIR: path.join(workDir, 'tmp'),
      ...(!cage && !policy.readOnly && config.dockerHost ? { DOCKER_HOST: config.dockerHost } : {}),
    },
    process.env,
    cage ? provider.apiEnv.filter((k) => !SECRET_ENV.includes(k)) : provider.apiEnv,
  );
  const run: AgentRun = {
    runId: input.runId,
    bin: input.bin,
    model: plan.model,
    policy,
    mcpServers: cage?.mcpEntries ?? plan.mcpEntries,
    filesDir: cage?.filesDir ?? { host: local, inner: local },
    systemPrompt: plan.systemPrompt,
    instructions: plan.instructions,
    jsonSchema: plan.jsonSchema,
    budgetUsd: plan.budgetUsd,
    cwd: workDir,
    prompt: plan.prompt,
    env: cage ? { ...cageBaseEnv(base), ...cage.env } : base,
    cage: cage?.spec,
    timeoutMs: config.timeoutMs,
    shutdownGraceMs: config.shutdownGraceMs,
    redactor: input.redactor,
  };
  return {
    run,
    close: async () => {
      await Promise.all([cage?.close(), removeWorkDir(workDir)]);
    },
  };
}
