// How a setting is declared: its variable, group, meaning, zod type and where it lands
// in the typed Config. The bottom of the configuration: it imports nothing of the
// daemon's, so providers (src/provider/*/options.ts) can declare their own variables
// with it and src/config/schema.ts can gather them without an import circle.
import cron from 'node-cron';
import { z } from 'zod';

export type TierNumber = 1 | 2 | 3;
export const TIERS = [1, 2, 3] as const satisfies readonly TierNumber[];

/** The groups, in the order `.env.example` and the README list them. */
export const GROUPS = [
  'Authentication and API',
  'Schedule',
  'Tiers and models',
  'Checks',
  'Permissions',
  'Containment',
  'Instances and Kubernetes',
  'Paths',
  'Safety limits',
  'Notifications',
  'Approvals',
  'Alerts and memory',
  'Records',
  'HTTP',
  'Logging',
] as const;
export type Group = (typeof GROUPS)[number];

/** What a `resolve` sees: the parsed variables, the raw environment, and the app directory. */
export interface ResolveContext {
  env: Record<string, unknown>;
  raw: NodeJS.ProcessEnv;
  appDir: string;
  /** A path relative to the app directory made absolute. */
  under(p: string): string;
  /** A command as configured: a path (relative to the app directory) or a name found on PATH or in the package. */
  command(nameOrPath: string): string;
}

export interface VarSpec {
  group: Group;
  /** One line: what the variable means. */
  doc: string;
  /** What a valid value looks like, for error messages. */
  expect: string;
  /** The raw default, as it would be written in `.env`; absent means unset. */
  default?: string;
  /** Values never to be logged. */
  secret?: boolean;
  schema: z.ZodType;
  /** Where the value lands in Config, as a dotted path (`cooldown.maxRestarts`); absent: only in `config.env`. */
  to?: string;
  /** Turns the parsed value into the Config field's; absent: the parsed value as it is. */
  resolve?: (value: never, ctx: ResolveContext) => unknown;
  /** Set by `perTier`: the tier, and the field of `config.tiers[tier]` it fills. */
  tier?: { n: TierNumber; field: string; absent?: unknown };
  /** An older name read when this one is unset. */
  oldName?: string;
  /** The per-tier setting it is one of (`TOOLS`), for the settings a provider honours. */
  key?: string;
}

const WHOLE = /^\d+$/;

export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(WHOLE).transform(Number).pipe(z.number().int().min(min).max(max));

export const decimal = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().min(min));

export const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** Comma-separated list; empty items dropped. */
export const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const text = z.string().trim().min(1);

/** A key or token the daemon's proxy sends upstream in an HTTP header: printable ASCII, no space (`sk-ant-…`, a placeholder, is none). */
export const credential = text.regex(/^[\x21-\x7e]+$/);

export const model = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._\-[\]]+$/);

export const cronExpression = z
  .string()
  .trim()
  .refine((v) => [5, 6].includes(v.split(/\s+/).length) && cron.validate(v));

export const httpUrl = () => z.url({ protocol: /^https?$/ });

/** The parsed value of a spec: its schema's output, undefined when it has no default. */
export type Parsed<S> = S extends { schema: infer Z extends z.ZodType }
  ? S extends { default: string }
    ? z.output<Z>
    : z.output<Z> | undefined
  : never;

/** The value a spec puts in Config: what its resolve returns, else its parsed value. */
export type Resolved<S> = S extends { resolve: (...a: never[]) => infer R } ? R : Parsed<S>;

type Extra<S extends z.ZodType> = {
  default?: string;
  secret?: boolean;
  to?: string;
  resolve?: (value: z.output<S>, ctx: ResolveContext) => unknown;
  oldName?: string;
};

/** One variable. `extra.to` names its Config field; `extra.resolve` turns the parsed value into it. */
export const spec = <S extends z.ZodType, const E extends Extra<S> = Record<never, never>>(
  group: Group,
  doc: string,
  expect: string,
  schema: S,
  extra?: E,
) => ({ group, doc, expect, schema, ...extra }) as Omit<VarSpec, 'schema' | 'resolve'> & { schema: S } & E;

/** The variable of a per-tier setting: CLAUDEOPS_TIER<N>_<KEY>, or the name given for tier 1. */
type TierVar<K extends string, T extends TierNumber, One extends string | undefined> = T extends 1
  ? One extends string
    ? One
    : `CLAUDEOPS_TIER1_${K}`
  : `CLAUDEOPS_TIER${T}_${K}`;

interface PerTier<S extends z.ZodType, F extends string, T extends TierNumber, One extends string | undefined, R> {
  group: Group;
  /** The field of `config.tiers[n]` it fills. */
  field: F;
  doc: (tier: TierNumber) => string;
  expect: string | ((tier: TierNumber) => string);
  schema: S;
  /** The default of each tier it applies to; a tier left out has none. */
  default?: Partial<Record<TierNumber, string>>;
  /** The tiers it applies to (all three unless said); for the others the field holds `absent`. */
  tiers?: readonly T[];
  absent?: R;
  /** The variable of tier 1, where it is not CLAUDEOPS_TIER1_<KEY>. */
  tier1Name?: One;
  /** An older name of each tier's variable. */
  oldNames?: Partial<Record<TierNumber, string>>;
  resolve?: (value: z.output<S>, ctx: ResolveContext) => R;
}

/**
 * A setting each tier has: one declaration, one variable per tier (CLAUDEOPS_TIER1_KEY,
 * CLAUDEOPS_TIER2_KEY, ...), each landing in `config.tiers[n][field]`. An older name
 * of a tier's variable comes right after it.
 */
export function perTier<
  const K extends string,
  S extends z.ZodType,
  const F extends string,
  const T extends TierNumber = TierNumber,
  const One extends string | undefined = undefined,
  R = z.output<S>,
>(
  key: K,
  d: PerTier<S, F, T, One, R>,
): {
  [N in T as TierVar<K, N, One>]: Omit<VarSpec, 'schema' | 'resolve' | 'tier'> & {
    schema: S;
    default: string;
    tier: { n: N; field: F; absent?: R };
    resolve: (value: z.output<S>, ctx: ResolveContext) => R;
  };
} {
  const out: Record<string, VarSpec> = {};
  for (const n of d.tiers ?? TIERS) {
    const name = n === 1 && d.tier1Name ? d.tier1Name : `CLAUDEOPS_TIER${n}_${key}`;
    const one = {
      group: d.group,
      doc: d.doc(n),
      expect: typeof d.expect === 'string' ? d.expect : d.expect(n),
      schema: d.schema,
      ...(d.default?.[n] !== undefined ? { default: d.default[n] } : {}),
      key,
      tier: { n, field: d.field, ...('absent' in d ? { absent: d.absent } : {}) },
      resolve: (d.resolve ?? ((v: unknown) => v)) as VarSpec['resolve'],
    };
    out[name] = one;
    const old = d.oldNames?.[n];
    if (old) {
      out[name] = { ...one, oldName: old };
      out[old] = {
        group: d.group,
        doc: `Older name of ${name}, used when that is unset`,
        expect: one.expect,
        schema: d.schema,
      };
    }
  }
  return out as never;
}

/**
 * What a provider declares about its configuration: its variables (binary, credentials,
 * API settings), the tool names a tier on it may list, what it needs to be usable, and
 * which daemon settings it honours.
 */
export interface ProviderOptions {
  /** As configured in CLAUDEOPS_TIER<N>_PROVIDER. */
  readonly name: string;
  /** For messages: "the Claude Code CLI". */
  readonly cli: string;
  /** The variable that points at its binary (one of `variables`). */
  readonly binVariable: string;
  /** Its own variables, each in a group of the table. */
  readonly variables: Record<string, VarSpec>;
  /** The variables its CLI needs to reach its API, passed into its environment. */
  readonly apiEnv: readonly string[];
  /** Credentials its CLI reads that are no variable of ours; the agent's commands never see them either. */
  readonly otherSecrets?: readonly string[];
  /** The tool names CLAUDEOPS_TIER<N>_TOOLS may list for a tier on it; absent: it takes no tool set, so any list passes. */
  readonly tools?: {
    names: readonly string[];
    expect: string;
    /** Of them, those that change files: a read-only run gets none. */
    writing: readonly string[];
    /** The tool that loads a skill, added to a run that has repo skills installed. */
    skill?: string;
  };
  /**
   * Of the daemon settings whose effect depends on the CLI (SETTINGS_BY_PROVIDER), those
   * it honours; validate notes a setting a tier on it sets but it ignores, and the README says so.
   */
  readonly honours: readonly ProviderSetting[];
  /** Why it ignores a setting it does not honour, for those notes. */
  readonly ignores?: Partial<Record<ProviderSetting, string>>;
  /** What is missing for it to run, when some tier runs on it (all listed at once with every other problem). */
  problems(raw: NodeJS.ProcessEnv, options: { requireAuth: boolean }): string[];
}

/**
 * Daemon settings whose effect depends on the provider: per-tier keys (TOOLS for
 * CLAUDEOPS_TIER<N>_TOOLS) and whole variable names.
 */
export const SETTINGS_BY_PROVIDER = [
  'TOOLS',
  'DENY',
  'MCP',
  'MCP_TOOLS',
  'WRITABLE',
  'NETWORK',
  'CLAUDEOPS_SYSTEM_PROMPT',
  'CLAUDEOPS_MAX_BUDGET_USD',
] as const;
export type ProviderSetting = (typeof SETTINGS_BY_PROVIDER)[number];

export const nonEmpty = (v: string | undefined): boolean => typeof v === 'string' && v.trim() !== '';
