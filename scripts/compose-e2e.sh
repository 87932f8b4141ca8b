#!/usr/bin/env bash
# The README's quick start, for real: its own Docker engine (dockerd, vfs, no iptables),
# the real Dockerfile built by it, Compose v2, and the quick start's commands as written,
# plus an override (docker-compose.override.yml, which compose reads by itself) that adds
# the project's fake Messages API as a service, a container named web to look after, and
# the engine's socket for the daemon. Checked on the way:
# - validate passes; without the compose file's security_opt lines it exits 2 naming the fix;
# - a cycle: tier 1's docker ps lists the real web container and its restart is refused;
#   tier 2 restarts it (its StartedAt changes); then a healthy cycle whose Bash call ran in
#   the cage (a write to /tmp refused);
# - the console and /metrics through the published port, with the token; status via exec;
# - a stop during a cycle is recorded interrupted, with no error-level line;
# - up again: state and receipts intact (verify-receipts); down -v.
# Needs root, dockerd (Debian's docker.io), debootstrap, git, curl, openssl and a built
# dist/ (npm run build). Usage: sudo scripts/compose-e2e.sh
# COMPOSE_E2E_ENGINE=unix:///path/sock uses a running engine instead (and its images:
# the stand-in base and the build cache), for trying changes without a 15-minute build.
# COMPOSE_E2E_SAVE_IMAGE=path.tar docker-saves the image it built there at the end (CI hands it
# to scripts/swarm-e2e.sh, which then needs no build of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
T0=$(date +%s)
log() { printf '[compose-e2e] %s\n' "$*"; }
fail() { printf '[compose-e2e] FAIL: %s\n' "$*" >&2; exit 1; }
# engine_start, engine_stop, unmount_under, standin_base, compose_v2
source scripts/engine.sh

[ "$(id -u)" = 0 ] || fail "run as root: it starts its own dockerd"
for tool in dockerd docker debootstrap git curl openssl node; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
[ -f dist/test/fake-api-server.js ] || fail "dist/ is not built (npm run build)"

WORK="$(mktemp -d /tmp/claudeops-compose.XXXXXX)"
ENGINE="$WORK/engine"
PROJECT="$WORK/project"
mkdir -p "$ENGINE" "$PROJECT"
export DOCKER_HOST="${COMPOSE_E2E_ENGINE:-unix://$ENGINE/sock}"
# The classic builder: BuildKit would fetch its frontend from Docker Hub.
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

cleanup() {
  set +e
  if [ -f "$PROJECT/docker-compose.yml" ]; then (cd "$PROJECT" && timeout 120 docker compose down -v --remove-orphans >/dev/null 2>&1); fi
  # What the image's user wrote in the bind-mounted directories.
  rm -rf "$PROJECT/state" "$PROJECT/results" 2>/dev/null
  engine_stop
  unmount_under "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT

# Compose v2: Debian 12 has only v1, which rejects systempaths=unconfined; trixie's package has v2.
compose_v2 "$WORK"
log "$(docker compose version)"

# The engine, with its own state; its socket's group is the image user's, whose daemon uses it.
[ -n "${COMPOSE_E2E_ENGINE:-}" ] || engine_start "$ENGINE"
log "dockerd $(docker version --format '{{.Server.Version}}')${DOCKERD_PID:+ (pid $DOCKERD_PID)}"

# Docker Hub is out of reach: the base image is a stand-in, a minimal Debian plus this machine's Node.
start=$(date +%s)
standin_base "$WORK"
log "stand-in base $BASE in $(( $(date +%s) - start )) s"

# The project as a user has it: the repository's files, nothing built.
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$PROJECT" -xf -
mkdir -p "$PROJECT/fake"
cp dist/test/fake-api-server.js dist/test/fake-api.js "$PROJECT/fake/"
echo '{"type":"module"}' >"$PROJECT/fake/package.json"
cat >"$PROJECT/docker-compose.override.yml" <<EOF
# The test's additions to the quick start: a fake Messages API, a container to look after,
# and the engine's socket for the daemon (never for the agent: the daemon filters its requests).
services:
  claudeops:
    build:
      network: host
      args:
        NODE_VERSION: "$NODE_MAJOR"
    environment:
      ANTHROPIC_BASE_URL: http://fake-api:8800
      CLAUDEOPS_INTERVAL: "3600"
      CLAUDEOPS_APPROVAL: none
      CLAUDEOPS_MAX_TIER: "2"
      CLAUDEOPS_DOCKER_HOST: unix:///var/run/docker.sock
    volumes:
      - ${DOCKER_HOST#unix://}:/var/run/docker.sock
    depends_on: [fake-api, web]
  fake-api:
    image: claudeops:latest
    entrypoint: ["node", "/fake/fake-api-server.js"]
    environment:
      FAKE_API_HOST: 0.0.0.0
      FAKE_API_PORT: "8800"
      FAKE_API_PLAY: \${FAKE_API_PLAY:-docker}
      FAKE_API_DELAY_MS: \${FAKE_API_DELAY_MS:-0}
    volumes:
      - ./fake:/fake:ro
  web:
    image: claudeops:latest
    container_name: web
    entrypoint: ["sleep", "infinity"]
EOF
cd "$PROJECT"

# The quick start, as the README writes it (the key set, a local repo for the example's clone, no sudo as root).
cp .env.example .env
echo "ANTHROPIC_API_KEY=sk-ant-compose-e2e-not-a-real-key" >>.env
echo "CLAUDEOPS_CONSOLE_TOKEN=$(openssl rand -hex 24)" >> .env   # the console's token: the image listens on all its interfaces
TOKEN="$(sed -n 's/^CLAUDEOPS_CONSOLE_TOKEN=//p' .env)"
mkdir -p repos state results && chown 10001:10001 state results
git init -q "$WORK/infra" && mkdir -p "$WORK/infra/.claude-ops/checks"
printf '# web\n\n- Service: web\n\n## What\nThe web container runs.\n\n## How\n```sh\ndocker ps --filter name=web\n```\n\n## Healthy when\n- healthy: web is Up\n' >"$WORK/infra/.claude-ops/checks/web.md"
git -C "$WORK/infra" add -A && git -C "$WORK/infra" -c user.email=e2e@example.com -c user.name=e2e commit -qm "a check"
git clone -q "$WORK/infra" repos/infra

start=$(date +%s)
docker compose build >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "the image did not build"; }
log "built the image in $(( $(date +%s) - start )) s ($(docker image inspect claudeops:latest --format '{{.Size}}' | awk '{printf "%d MB", $1/1e6}'))"
expected="$(node -p 'require("./package.json").devDependencies["@anthropic-ai/claude-code"]')"
version="$(docker run --rm --entrypoint claude claudeops:latest --version)"
case "$version" in "$expected"*) log "claude --version in the image: $version" ;; *) fail "claude --version says '$version', package.json pins $expected" ;; esac

inside() { docker run --rm --entrypoint "$1" claudeops:latest "${@:2}"; }
[ "$(inside id -un)" = claudeops ] || fail "the image does not run as its user claudeops"
inside sh -c 'for t in apprise tini curl jq git bwrap socat docker dig openssl kubectl setpriv umount; do command -v $t >/dev/null || { echo "$t is missing"; exit 1; }; done' || fail "a tool is missing from the image"
entry="$(docker image inspect claudeops:latest --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.Healthcheck.Test}}')"
case "$entry" in *tini*claudeops*run*healthz*) ;; *) fail "entrypoint, command or healthcheck is not tini → claudeops run, /healthz: $entry" ;; esac
kubectl_version="$(inside kubectl version --client 2>&1)" || { printf '%s\n' "$kubectl_version"; fail "kubectl version --client failed in the image"; }
log "the image: user claudeops, its tools, tini → claudeops run, a HEALTHCHECK on /healthz; $(printf '%s\n' "$kubectl_version" | head -1)"

set +e
out="$(docker compose run --rm claudeops validate 2>&1)"; code=$?
set -e
[ "$code" = 0 ] || { printf '%s\n' "$out" | tail -30; fail "docker compose run --rm claudeops validate exited $code"; }
printf '%s\n' "$out" | grep -q 'bubblewrap starts' || fail "validate did not find the sandbox starting"
set +e
out="$(docker run --rm --env-file .env claudeops:latest validate 2>&1)"; code=$?
set -e
[ "$code" = 2 ] && printf '%s\n' "$out" | grep -q 'security_opt' || { printf '%s\n' "$out" | tail -20; fail "without security_opt, validate exited $code without naming the fix"; }
log "validate: exit 0 as composed; exit 2 naming security_opt without it"

summaries() { ls results/run-*.json 2>/dev/null | grep -v -- '-tier' | sort; }
wait_cycles() { # N, seconds
  for _ in $(seq "$2"); do [ "$(summaries | wc -l)" -ge "$1" ] && return 0; sleep 1; done
  docker compose logs --tail 50 claudeops; fail "no cycle $1 within $2 s"
}
field() { node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(eval(process.argv[2]))' "$1" "$2"; }

docker compose up -d web >/dev/null 2>&1
started_before="$(docker inspect --format '{{.State.StartedAt}}' web)"
docker compose up -d && docker compose logs --tail 5
wait_cycles 1 240
first="$(summaries | tail -1)"
started_after="$(docker inspect --format '{{.State.StartedAt}}' web)"
t1log="results/$(field "$first" 's.tiers[0].logFile')"
grep -q 'refused POST http://docker.claudeops:2375/v[0-9.]*/containers/web/restart' "$t1log" || { cat "$t1log"; fail "tier 1's restart was not refused by the egress proxy"; }
t1events="results/$(field "$first" 's.tiers[0].eventsFile')"
# The shipped Docker check's commands, run by tier 1 as the file has them, against the real engine.
grep -Eq '"stdout":"[^"]*web(\\t| )Up' "$t1events" && grep -Eq '"stdout":"[^"]*/web restarts=[0-9]+ health=[a-z]+ exit=0' "$t1events" || { cat "$t1log"; fail "the shipped Docker check's commands did not list and inspect the web container"; }
grep -q '"stdout":"[^"]*no docker endpoint' "$t1events" && fail "the shipped Docker check found no endpoint"
[ "$(field "$first" 's.tiers.length')" = 2 ] || fail "tier 2 did not run: $(field "$first" 's.summary')"
[ -n "$started_before" ] && [ "$started_after" != "$started_before" ] || fail "web was not restarted (StartedAt $started_before → $started_after)"
log "Docker: the shipped check's commands listed and inspected web from tier 1, whose restart was refused; tier 2 restarted it (StartedAt $started_before → $started_after); cycle $(field "$first" 's.status')"

FAKE_API_PLAY=healthy docker compose up -d fake-api >/dev/null 2>&1
docker compose exec -T claudeops claudeops trigger >/dev/null
wait_cycles 2 240
second="$(summaries | tail -1)"
[ "$(field "$second" 's.status')" = healthy ] || fail "the second cycle was $(field "$second" 's.status'): $(field "$second" 's.summary')"
events="results/$(field "$second" 's.tiers[0].eventsFile')"
# What the command printed (its text names both words): the write to /tmp was refused.
grep -q '"stdout":"[^"]*sandbox-held' "$events" && ! grep -q '"stdout":"[^"]*SANDBOX-ESCAPED' "$events" || { cat "results/$(field "$second" 's.tiers[0].logFile')"; fail "tier 1's Bash call did not run in the cage ($events)"; }
log "a healthy cycle; tier 1's Bash ran in the cage (a write to /tmp refused)"

curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" http://127.0.0.1:9090/ || fail "the console did not answer on the published port"
curl -fsS -H "Authorization: Bearer $TOKEN" http://127.0.0.1:9090/metrics | grep -q '^claudeops_cycles_total{status="healthy"} [1-9]' || fail "/metrics did not count the healthy cycle"
docker compose exec -T claudeops claudeops status | grep -q 'infra/web.md' || fail "claudeops status did not show the check"
log "console and /metrics on 127.0.0.1:9090 with the token; claudeops status via exec"

FAKE_API_PLAY=healthy FAKE_API_DELAY_MS=20000 docker compose up -d fake-api >/dev/null 2>&1
docker compose exec -T claudeops claudeops trigger >/dev/null
# The third cycle's tier 1 has started (each answer now takes 20 s): stop in its middle.
for _ in $(seq 60); do [ "$(docker compose logs claudeops 2>/dev/null | grep -c '=== claudeops tier 1')" -ge 3 ] && break; sleep 1; done
sleep 3
docker compose stop claudeops >/dev/null 2>&1
wait_cycles 3 60
third="$(summaries | tail -1)"
[ "$(field "$third" 's.status')" = interrupted ] || fail "the stopped cycle was recorded $(field "$third" 's.status')"
if docker compose logs claudeops | grep '"level":"error"'; then fail "stopping during a cycle logged at level error"; fi
log "stopped during a cycle: recorded interrupted, no error-level line"

FAKE_API_DELAY_MS=0 FAKE_API_PLAY=healthy docker compose up -d >/dev/null 2>&1
wait_cycles 4 240
docker compose exec -T claudeops claudeops verify-receipts >/dev/null || fail "verify-receipts failed after a restart"
st="$(docker compose exec -T claudeops claudeops status)"
printf '%s\n' "$st" | grep -q INTERRUPTED && printf '%s\n' "$st" | grep -q 'infra/web.md *HEALTHY' || { printf '%s\n' "$st"; fail "the cycles and the check's history did not survive the restart"; }
log "up again: state kept, receipts verified"

docker compose down -v >/dev/null 2>&1
if [ -n "${COMPOSE_E2E_SAVE_IMAGE:-}" ]; then
  start=$(date +%s)
  docker save -o "$COMPOSE_E2E_SAVE_IMAGE" claudeops:latest || fail "docker save to $COMPOSE_E2E_SAVE_IMAGE failed"
  log "saved the image to $COMPOSE_E2E_SAVE_IMAGE in $(( $(date +%s) - start )) s"
fi
log "PASS in $(( $(date +%s) - T0 )) s"
