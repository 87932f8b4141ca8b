#!/bin/sh
# Stand-in for the Claude Code CLI in benchmarks: it reads the prompt like the CLI
# does, then prints a scripted stream-json run ($BENCH_EVENTS, $BENCH_REPEAT times,
# then $BENCH_FINAL), so the CLI's own cost is left out of the figures.
cat >/dev/null
i=0
while [ "$i" -lt "${BENCH_REPEAT:-1}" ]; do
  cat "$BENCH_EVENTS"
  i=$((i + 1))
done
[ -n "${BENCH_FINAL:-}" ] && cat "$BENCH_FINAL"
exit 0
