import { jsonEvents, PLACEHOLDER_KEY, type ApiRoute, type ResponseMeter } from '../../sandbox/api-proxy.js';
import { costUsd } from './prices.js';

/** A Responses API answer's cost, from its `response.completed` usage (whole or streamed). */
function responsesMeter(): ResponseMeter {
  let usd = 0;
  const events = jsonEvents((e) => {
    const r = (e.type === 'response.completed' ? e.response : e.object === 'response' ? e : undefined) as
      | {
          model?: string;
          usage?: { input_tokens?: number; output_tokens?: number; input_tokens_details?: { cached_tokens?: number } };
        }
      | undefined;
    if (!r?.usage) return;
    usd +=
      costUsd(r.model ?? '', {
        input: r.usage.input_tokens ?? 0,
        cached: r.usage.input_tokens_details?.cached_tokens ?? 0,
        output: r.usage.output_tokens ?? 0,
      }) ?? 0;
  });
  return {
    push: (c) => events.push(c),
    end() {
      events.end();
      return usd;
    },
  };
}

/** The OpenAI API as a caged Codex run reaches it: through the daemon's API proxy, which holds the key. */
export function codexApi(
  env: Record<string, unknown>,
  innerOrigin: string,
): { route: ApiRoute; env: Record<string, string> } | undefined {
  if (env.OPENAI_API_KEY === undefined) return undefined;
  const upstream = String(env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1');
  const path = new URL(upstream).pathname.replace(/\/+$/, '');
  return {
    route: {
      upstream,
      credential: { header: 'authorization', value: `Bearer ${String(env.OPENAI_API_KEY)}` },
      strip: ['authorization', 'openai-organization', 'openai-project'],
      paths: [/^HEAD \/[^/]*$/, new RegExp(`^(POST|GET) ${path}/(responses|models)(\\?[^/]*)?$`)],
      meter: responsesMeter,
    },
    env: { OPENAI_API_KEY: PLACEHOLDER_KEY, OPENAI_BASE_URL: innerOrigin + path },
  };
}
