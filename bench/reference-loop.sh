#!/usr/bin/env bash
# The reference the daemon is measured against: one cycle of the seed's Bash
# entrypoint per line read on stdin (merge the MCP files with jq, build the context
# string, run the CLI piped through tee -a), answering "done" after each.
set -u
while read -r _; do
  stamp=$(date -u +%Y%m%d-%H%M%S)
  files=("$APP_DIR/.claude/mcp.json")
  for f in "$REPOS_DIR"/*/.claude-ops/mcp.json; do
    [ -f "$f" ] && files+=("$f")
  done
  jq -s 'reduce .[] as $c ({}; . * $c)' "${files[@]}" >"$STATE_DIR/mcp.merged.json"
  ENV_CONTEXT="CLAUDEOPS_DRY_RUN=$DRY_RUN CLAUDEOPS_STATE_DIR=$STATE_DIR CLAUDEOPS_RESULTS_DIR=$RESULTS_DIR CLAUDEOPS_REPOS_DIR=$REPOS_DIR CLAUDEOPS_TIER2_MODEL=sonnet CLAUDEOPS_TIER3_MODEL=opus"
  "$CLAUDE_BIN" --print --model haiku --output-format stream-json --verbose \
    --allowedTools "Bash,Read,Grep,Glob,Task,WebFetch" --mcp-config "$STATE_DIR/mcp.merged.json" \
    --append-system-prompt "Environment: $ENV_CONTEXT" <"$APP_DIR/prompts/tier1-observe.md" 2>&1 |
    tee -a "$RESULTS_DIR/run-$stamp.log" >/dev/null
  echo done
done
