#!/usr/bin/env bash
# deploy/swarm/docker-stack.yml, for real: its own Docker engine (dockerd, vfs, no iptables,
# the engine-wide seccomp profile the stack's header asks for), docker swarm init, the image
# (loaded from a tar compose-e2e saved, or built), the project's fake Messages API on the host's
# loopback, four repos of which each instance owns two (by the daemon's own ownerOf), and
# docker stack deploy of the file as written. Checked on the way:
# - each instance (claudeops-1 as 1/2, claudeops-2 as 2/2) runs a cycle whose Bash call ran in
#   the cage; its /state/checks.json holds exactly the checks of its own two repos, plus the
#   built-in ones, and none of the other's;
# - the daemon runs as uid 10001 with no capabilities (effective and bounding set empty); its
#   named volumes belong to 10001;
# - docker kill of one instance's container: Swarm starts a new task, whose state volume kept
#   the check history (a further cycle adds to it, nothing restarts from empty), while the other
#   instance's container ran on untouched;
# - claudeops verify-receipts exits 0 on both.
# Needs root, dockerd (Debian's docker.io), curl, node and a built dist/ (npm run build); without
# an image tar, also debootstrap and git for the build. Usage: sudo scripts/swarm-e2e.sh
# SWARM_E2E_IMAGE_TAR=path.tar loads the image from there (compose-e2e's COMPOSE_E2E_SAVE_IMAGE)
# instead of building it (about 15 minutes on 2 cores under vfs).
# SWARM_E2E_ENGINE=unix:///path/sock uses a running engine instead (started with
# --seccomp-profile; a swarm it already has is kept, one it starts is left at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
log() { printf '[swarm-e2e] %s\n' "$*"; }
fail() { printf '[swarm-e2e] FAIL: %s\n' "$*" >&2; exit 1; }
# engine_start, engine_stop, unmount_under, standin_base
source scripts/engine.sh

[ "$(id -u)" = 0 ] || fail "run as root: it starts its own dockerd"
for tool in dockerd docker curl node; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
[ -f dist/test/fake-api-server.js ] || fail "dist/ is not built (npm run build)"
[ -f dist/src/files/instance.js ] || fail "dist/src/files/instance.js is missing: this checkout has no CLAUDEOPS_INSTANCE"
TAR="${SWARM_E2E_IMAGE_TAR:-}"
[ -z "$TAR" ] || [ -f "$TAR" ] || fail "SWARM_E2E_IMAGE_TAR=$TAR is not a file"

WORK="$(mktemp -d /tmp/claudeops-swarm.XXXXXX)"
ENGINE="$WORK/engine"
STACK=claudeops
export DOCKER_HOST="${SWARM_E2E_ENGINE:-unix://$ENGINE/sock}"
export DOCKER_BUILDKIT=0
FAKE_PID=""
LEAVE_SWARM=""

cleanup() {
  set +e
  if docker stack ls 2>/dev/null | grep -q "^$STACK "; then
    timeout 60 docker stack rm "$STACK" >/dev/null 2>&1
    for _ in $(seq 60); do [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$STACK")" ] && break; sleep 1; done
  fi
  # A reused engine keeps no volumes of this run.
  docker volume ls -q --filter "label=com.docker.stack.namespace=$STACK" 2>/dev/null | xargs -r docker volume rm >/dev/null 2>&1
  [ -n "$LEAVE_SWARM" ] && timeout 60 docker swarm leave --force >/dev/null 2>&1
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
  engine_stop
  unmount_under "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT

# The engine: what the stack's header asks of a node (a seccomp default that lets the cage be
# built; Swarm services cannot set their own). DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: tasks use the
# local image without first trying a registry (Docker Hub is out of reach here).
if [ -z "${SWARM_E2E_ENGINE:-}" ]; then
  mkdir -p "$ENGINE"
  echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$WORK/seccomp.json"
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 engine_start "$ENGINE" --seccomp-profile="$WORK/seccomp.json"
fi
log "dockerd $(docker version --format '{{.Server.Version}}')${DOCKERD_PID:+ (pid $DOCKERD_PID)}"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$(free_port)" >/dev/null || fail "docker swarm init failed"
  LEAVE_SWARM=1
fi
log "swarm: $(docker info --format '{{.Swarm.LocalNodeState}}, {{.Swarm.Nodes}} node(s)')"

# The image: compose-e2e's, or built here the way compose-e2e builds it.
start=$(date +%s)
if [ -n "$TAR" ]; then
  docker load -q -i "$TAR" >/dev/null || fail "docker load -i $TAR failed"
  log "loaded the image from $TAR in $(( $(date +%s) - start )) s"
elif [ -n "${SWARM_E2E_ENGINE:-}" ] && docker image inspect claudeops:latest >/dev/null 2>&1; then
  log "the engine's claudeops:latest"
else
  for tool in debootstrap git; do command -v "$tool" >/dev/null || fail "$tool is not installed (needed to build the image)"; done
  standin_base "$WORK"
  mkdir -p "$WORK/project"
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$WORK/project" -xf -
  docker build --network host --build-arg "NODE_VERSION=$NODE_MAJOR" -t claudeops:latest "$WORK/project" >"$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; fail "the image did not build"; }
  rm -rf "$WORK/project"
  log "built the image in $(( $(date +%s) - start )) s"
fi

# The fake Messages API on the host's loopback: the instances use the host's network.
FAKE_API_PLAY=healthy node dist/test/fake-api-server.js >"$WORK/fake.url" 2>"$WORK/fake.log" &
FAKE_PID=$!
for _ in $(seq 50); do [ -s "$WORK/fake.url" ] && break; sleep 0.2; done
API_URL="$(head -1 "$WORK/fake.url")"
case "$API_URL" in http://127.0.0.1:*) ;; *) cat "$WORK/fake.log"; fail "the fake Messages API did not start" ;; esac

# Four repos, two owned by each instance, by the daemon's own hashing.
names="$(node --input-type=module -e '
  const { ownerOf } = await import(process.argv[1]);
  const mine = { 1: [], 2: [] };
  for (const n of ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima"])
    if (mine[ownerOf(n, 2)].length < 2) mine[ownerOf(n, 2)].push(n);
  if (mine[1].length < 2 || mine[2].length < 2) process.exit(1);
  console.log([...mine[1], ...mine[2]].join(" "));
' "$PWD/dist/src/files/instance.js")" || fail "could not pick two repos for each instance"
read -r R1A R1B R2A R2B <<<"$names"
for repo in $R1A $R1B $R2A $R2B; do
  mkdir -p "$WORK/repos/$repo/.claude-ops/checks"
  printf '# %s service\n\n- Service: %s\n\n## What\nThe %s service answers.\n\n## How\n```sh\ntrue\n```\n\n## Healthy when\n- healthy: the command exits 0\n' \
    "$repo" "$repo" "$repo" >"$WORK/repos/$repo/.claude-ops/checks/service.md"
done
chmod -R a+rX "$WORK/repos"
log "repos: instance 1/2 owns $R1A, $R1B; instance 2/2 owns $R2A, $R2B"

# The stack file as written; the variables its header names.
export ANTHROPIC_API_KEY=sk-ant-swarm-e2e-not-a-real-key ANTHROPIC_BASE_URL="$API_URL" CLAUDEOPS_REPOS_PATH="$WORK/repos"
CLAUDEOPS_CONSOLE_TOKEN="$(node -p 'require("crypto").randomBytes(24).toString("hex")')"
export CLAUDEOPS_CONSOLE_TOKEN
out="$(docker stack deploy --resolve-image never -c deploy/swarm/docker-stack.yml "$STACK" 2>&1)" || { printf '%s\n' "$out"; fail "docker stack deploy failed"; }
log "deployed: $(docker stack services "$STACK" --format '{{.Name}}' | sort | tr '\n' ' ')"

container() { # running container of instance $1
  docker ps -q --filter "label=com.docker.swarm.service.name=${STACK}_claudeops-$1" --filter status=running | head -1
}
wait_container() { # instance, seconds, a container id it must not be
  local c
  for _ in $(seq "$2"); do c="$(container "$1")"; [ -n "$c" ] && [ "$c" != "${3:-}" ] && { echo "$c"; return 0; }; sleep 1; done
  docker service ps --no-trunc "${STACK}_claudeops-$1" >&2; fail "no running task of claudeops-$1 within $2 s"
}
as_daemon() { local c="$1"; shift; docker exec -u 10001:10001 -e HOME=/home/claudeops "$c" "$@"; }
# Instance $1's /state/checks.json (no checks while it has none, or no running container).
checks_json() { as_daemon "$(container "$1")" cat /state/checks.json 2>/dev/null || echo '{"checks":{}}'; }
# How many results the check <repo>/service.md has in instance $1's state (0 before its first cycle).
history_len() { checks_json "$1" | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(s.checks[process.argv[1]]?.last.length ?? 0)' "$2/service.md"; }
wait_history() { # instance, repo, length at least, seconds
  for _ in $(seq "$4"); do [ "$(history_len "$1" "$2")" -ge "$3" ] && return 0; sleep 1; done
  docker service logs --tail 40 "${STACK}_claudeops-$1" >&2; fail "claudeops-$1: $2/service.md has no $3 result(s) within $4 s"
}
# The non-built-in check ids in instance $1's state, sorted, space-separated.
own_ids() { checks_json "$1" | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(Object.keys(s.checks).filter((id) => !id.startsWith("builtin/")).sort().join(" "))'; }
builtin_count() { checks_json "$1" | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(Object.keys(s.checks).filter((id) => id.startsWith("builtin/")).length)'; }
last_summary() { as_daemon "$1" sh -c 'ls /results/run-*.json | grep -v -- -tier | sort | tail -1 | xargs cat'; }
field() { node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(eval(process.argv[1]))' "$1"; }

C1="$(wait_container 1 120)"
C2="$(wait_container 2 120)"
wait_history 1 "$R1A" 1 300
wait_history 2 "$R2A" 1 300
for i in 1 2; do
  c="$(container "$i")"
  if [ "$i" = 1 ]; then want="$R1A/service.md $R1B/service.md"; else want="$R2A/service.md $R2B/service.md"; fi
  got="$(own_ids "$i")"
  [ "$got" = "$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ' | sed 's/ $//')" ] || fail "claudeops-$i judged the repo checks '$got', wants exactly '$want'"
  [ "$(builtin_count "$i")" -ge 1 ] || fail "claudeops-$i has no built-in check"
  # The cycle's tier 1 ran its Bash call in the cage (the fake API's command: a write to /tmp refused).
  s="$(last_summary "$c")"
  events="$(field 's.tiers[0].eventsFile' <<<"$s")"
  as_daemon "$c" grep -q '"stdout":"[^"]*sandbox-held' "/results/$events" && ! as_daemon "$c" grep -q '"stdout":"[^"]*SANDBOX-ESCAPED' "/results/$events" \
    || { as_daemon "$c" cat "/results/$(field 's.tiers[0].logFile' <<<"$s")" >&2; fail "claudeops-$i: tier 1's Bash call did not run in the cage"; }
  # The daemon: uid 10001, no capabilities. The volumes: the image user's.
  procs="$(docker exec "$c" sh -c 'for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = node ] && grep -hE "^(Uid|CapEff|CapBnd|CapPrm):" $d/status | tr "\t\n" "  "; done; true')"
  [ -n "$procs" ] || fail "claudeops-$i: no node process found"
  printf '%s\n' "$procs" | grep -Eq 'Uid: +0 ' && fail "claudeops-$i: a node process runs as root: $procs"
  printf '%s\n' "$procs" | grep -Eq 'Cap(Eff|Bnd|Prm): +0*[1-9a-f]' && fail "claudeops-$i: the daemon holds capabilities: $procs"
  [ "$(docker exec "$c" stat -c %u:%g /state /results | sort -u)" = 10001:10001 ] || fail "claudeops-$i: /state or /results is not 10001's"
  log "claudeops-$i ($(field 's.status' <<<"$s") cycle, tier 1 in the cage): judged $got and $(builtin_count "$i") built-in check(s), none of the other's; daemon uid 10001, no capabilities"
done

# One more cycle on instance 1, so its history is longer than a fresh start's.
as_daemon "$C1" claudeops trigger >/dev/null || fail "claudeops trigger failed on claudeops-1"
wait_history 1 "$R1A" 2 300
before="$(history_len 1 "$R1A")"

docker kill "$C1" >/dev/null
C1B="$(wait_container 1 120 "$C1")"
log "killed claudeops-1's container; Swarm started a new task ($(docker service ps "${STACK}_claudeops-1" -q | wc -l) tasks so far)"
# The new task's first cycle adds to the history its volume kept.
wait_history 1 "$R1A" $((before + 1)) 300
after="$(history_len 1 "$R1A")"
[ "$(own_ids 1)" = "$(printf '%s\n' "$R1A/service.md" "$R1B/service.md" | sort | tr '\n' ' ' | sed 's/ $//')" ] || fail "after the restart claudeops-1 judged $(own_ids 1)"
[ "$(container 2)" = "$C2" ] || fail "claudeops-2's container changed when claudeops-1's was killed"
log "claudeops-1 after the kill: $R1A/service.md history $before → $after (kept, and added to); claudeops-2 ran on untouched"

for i in 1 2; do
  out="$(as_daemon "$(container "$i")" claudeops verify-receipts 2>&1)" || { printf '%s\n' "$out"; fail "verify-receipts failed on claudeops-$i"; }
done
log "verify-receipts: exit 0 on both"

log "PASS in $(( $(date +%s) - T0 )) s"
