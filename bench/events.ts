// Scripted stream-json runs for the benchmark's stand-in CLI.

const init = {
  type: 'system',
  subtype: 'init',
  cwd: '/app',
  session_id: 'bench',
  tools: ['Bash', 'Read', 'Grep', 'Glob', 'Task', 'WebFetch', 'StructuredOutput'],
  mcp_servers: [],
  model: 'claude-haiku-4-5-20251001',
  permissionMode: 'dontAsk',
};

const assistant = (content: unknown[]) => ({
  type: 'assistant',
  message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content },
  session_id: 'bench',
});
const toolResult = (id: string, text: string) => ({
  type: 'user',
  message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: text, is_error: false }] },
  session_id: 'bench',
});

// One entry per shipped check, as the daemon hands them out.
const BUILTIN = ['disk-space', 'dns', 'docker-containers', 'http-endpoints', 'tls-certificates'];
const verdict = {
  status: 'healthy',
  summary: 'All checks pass.',
  escalate: false,
  checks: BUILTIN.map((c) => ({ id: `builtin/${c}.md`, status: 'healthy', detail: 'fine' })),
};

export const resultEvent = JSON.stringify({
  type: 'result',
  subtype: 'success',
  is_error: false,
  api_error_status: null,
  duration_ms: 1200,
  num_turns: 3,
  result: JSON.stringify(verdict),
  session_id: 'bench',
  total_cost_usd: 0.0025,
  usage: { input_tokens: 2000, output_tokens: 100 },
  modelUsage: {
    'claude-haiku-4-5-20251001': {
      inputTokens: 2000,
      outputTokens: 100,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      costUSD: 0.0025,
    },
  },
  permission_denials: [],
  structured_output: verdict,
});

/** A typical tier-1 run: init, a few tool calls with results, the verdict, the result. */
export function typicalRun(): string {
  const lines: object[] = [init, assistant([{ type: 'text', text: 'Checking the disk and the containers.' }])];
  for (let i = 0; i < 4; i++) {
    lines.push(
      assistant([
        {
          type: 'tool_use',
          id: `toolu_${i}`,
          name: 'Bash',
          input: { command: 'df -P | head -20', description: 'disk' },
        },
      ]),
    );
    lines.push(
      toolResult(
        `toolu_${i}`,
        'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 264212084 23532308 82858604 23% /\n'.repeat(
          5,
        ),
      ),
    );
  }
  lines.push(assistant([{ type: 'tool_use', id: 'toolu_v', name: 'StructuredOutput', input: verdict }]));
  lines.push(toolResult('toolu_v', 'Structured output provided successfully'));
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n' + resultEvent + '\n';
}

/**
 * About `bytes` of turns shaped like the CLI's: a text block, a Bash call, and its
 * result at the CLI's 30,000-character output cap (which the CLI carries twice: in the
 * message and in tool_use_result). With `small`, results are a few lines instead:
 * the same bytes in many more, smaller events, the worst case per byte.
 */
export function bulkEvents(bytes: number, shape: 'cli' | 'small' = 'cli'): string {
  const out: string[] = [];
  let size = 0;
  let i = 0;
  const listing = 'drwxr-xr-x 2 root root 4096 Nov 21 23:49 some-directory-name-that-is-long\n'.repeat(
    shape === 'cli' ? 400 : 6,
  );
  const output = shape === 'cli' ? listing.slice(0, 30_000) : listing;
  while (size < bytes) {
    const batch = [
      JSON.stringify(
        assistant([
          { type: 'text', text: `Looking at item ${i}; the output so far is consistent with a healthy host.` },
        ]),
      ),
      JSON.stringify(
        assistant([
          {
            type: 'tool_use',
            id: `toolu_${i}`,
            name: 'Bash',
            input: { command: `ls -la /var/lib/item-${i}`, description: 'list' },
          },
        ]),
      ),
      JSON.stringify({
        ...toolResult(`toolu_${i}`, output),
        tool_use_result: { stdout: output, stderr: '', interrupted: false, isImage: false },
      }),
    ];
    for (const line of batch) {
      out.push(line);
      size += line.length + 1;
    }
    i++;
  }
  return out.join('\n') + '\n';
}
