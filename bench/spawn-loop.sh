#!/usr/bin/env bash
# The spawn both sides pay, measured apart: per line read on stdin, the stand-in CLI
# run once with the prompt on its stdin and its output thrown away, then "done". A
# cycle's time and CPU net of this are what the daemon or the Bash loop add to it.
set -u
while read -r _; do
  "$CLAUDE_BIN" --print --model haiku --output-format stream-json --verbose <"$APP_DIR/prompts/tier1-observe.md" >/dev/null 2>&1
  echo done
done
