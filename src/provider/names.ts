/** The providers a tier may run on (CLAUDEOPS_TIER<N>_PROVIDER); the registry has one for each. Kept apart so configuration can name them without loading them. */
export const PROVIDER_NAMES = ['claude', 'codex'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
