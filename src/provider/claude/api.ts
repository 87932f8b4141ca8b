import { jsonEvents, type ApiRoute, type ResponseMeter } from '../../sandbox/api-proxy.js';

/** List prices, USD per million tokens (input, output, cache write, cache read), by model family. */
const PRICES: [RegExp, { input: number; output: number; write: number; read: number }][] = [
  [/haiku-4/, { input: 1, output: 5, write: 1.25, read: 0.1 }],
  [/haiku/, { input: 0.8, output: 4, write: 1, read: 0.08 }],
  [/sonnet/, { input: 3, output: 15, write: 3.75, read: 0.3 }],
  [/opus-4-[5-9]|opus-[5-9]/, { input: 5, output: 25, write: 6.25, read: 0.5 }],
];
/** A model not in the table is priced as the dearest Claude model, so a budget never runs long. */
const DEAREST = { input: 15, output: 75, write: 18.75, read: 1.5 };
const priceOf = (model: string) => PRICES.find(([re]) => re.test(model))?.[1] ?? DEAREST;

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** A Messages API answer's cost, streamed (message_start, message_delta) or whole. */
function messagesMeter(): ResponseMeter {
  let model = '';
  const u: Required<Usage> = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const take = (x: Usage | undefined) => {
    if (!x) return;
    for (const k of Object.keys(u) as (keyof Usage)[]) if (typeof x[k] === 'number') u[k] = x[k]!;
  };
  const events = jsonEvents((e) => {
    const msg = (e.type === 'message_start' ? e.message : e.type === 'message' ? e : undefined) as
      { model?: string; usage?: Usage } | undefined;
    if (msg) {
      model = msg.model ?? model;
      take(msg.usage);
    } else if (e.type === 'message_delta') take(e.usage as Usage | undefined);
  });
  return {
    push: (c) => events.push(c),
    end() {
      events.end();
      const p = priceOf(model);
      return (
        (u.input_tokens * p.input +
          u.output_tokens * p.output +
          u.cache_creation_input_tokens * p.write +
          u.cache_read_input_tokens * p.read) /
        1e6
      );
    },
  };
}

/**
 * The Anthropic API as the cage reaches it: the CLI has no credential in its environment
 * (its apiKeyHelper prints a placeholder), and the daemon's API proxy puts the real one
 * on each request.
 */
export function claudeApi(
  env: Record<string, unknown>,
  innerOrigin: string,
): { route: ApiRoute; env: Record<string, string> } | undefined {
  const upstream = String(env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com');
  const key = env.ANTHROPIC_API_KEY;
  const bearer = env.CLAUDE_CODE_OAUTH_TOKEN ?? env.ANTHROPIC_AUTH_TOKEN;
  if (key === undefined && bearer === undefined) return undefined;
  const credential =
    key !== undefined
      ? { header: 'x-api-key', value: String(key) }
      : { header: 'authorization', value: `Bearer ${String(bearer)}` };
  const path = new URL(upstream).pathname.replace(/\/+$/, '');
  return {
    route: {
      upstream,
      credential,
      strip: ['x-api-key', 'authorization'],
      paths: [/^HEAD \/[^/]*$/, new RegExp(`^POST ${path}/v1/messages(/count_tokens)?(\\?[^/]*)?$`)],
      meter: messagesMeter,
    },
    env: { ANTHROPIC_BASE_URL: innerOrigin + path },
  };
}
