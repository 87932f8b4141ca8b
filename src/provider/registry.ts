import type { Config, TierNumber } from '../config/config.js';
import { claudeProvider } from './claude/index.js';
import { codexProvider } from './codex/index.js';
import type { ProviderName } from './names.js';
import type { AgentProvider } from './provider.js';

/** Every provider a tier may run on, by its name in CLAUDEOPS_TIER<N>_PROVIDER. */
export const PROVIDERS: Readonly<Record<ProviderName, AgentProvider>> = {
  claude: claudeProvider,
  codex: codexProvider,
};

/** How a tier's provider is found: the registry's `providerFor`, or a test's own. */
export type ProviderLookup = (config: Config, tier: TierNumber) => { provider: AgentProvider; bin: string };

/** The provider of a tier, and the binary it runs. */
export function providerFor(config: Config, tier: TierNumber): { provider: AgentProvider; bin: string } {
  const provider = PROVIDERS[config.tiers[tier].provider];
  return { provider, bin: provider.bin(config) };
}

/** Each provider the tiers up to CLAUDEOPS_MAX_TIER run on, once, with its binary and the tiers that use it. */
export function configuredProviders(config: Config): { provider: AgentProvider; bin: string; tiers: TierNumber[] }[] {
  const out: { provider: AgentProvider; bin: string; tiers: TierNumber[] }[] = [];
  for (const tier of [1, 2, 3] as TierNumber[]) {
    if (tier > config.maxTier) continue;
    const { provider, bin } = providerFor(config, tier);
    const seen = out.find((p) => p.provider === provider);
    if (seen) seen.tiers.push(tier);
    else out.push({ provider, bin, tiers: [tier] });
  }
  return out;
}
