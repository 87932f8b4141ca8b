#!/usr/bin/env bash
# Builds the real Dockerfile with buildah and checks the image from the inside.
#
# The base image cannot be pulled on a machine without a registry, so this first
# makes a stand-in `node:<major>-slim`: a minimal Debian (debootstrap) plus this
# machine's own Node.js and npm, tagged with the major version of that Node. The
# Dockerfile is built unchanged, with NODE_VERSION set to the same major.
#
# Needs root, buildah and debootstrap. Usage: sudo scripts/container-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[container-smoke] %s\n' "$*"; }
fail() { printf '[container-smoke] FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (buildah with chroot isolation needs it)"
for tool in buildah debootstrap node; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done

export STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}"
export BUILDAH_ISOLATION=chroot
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
BASE="docker.io/library/node:${NODE_MAJOR}-slim"
IMAGE="localhost/claudeops:smoke"
WORK="$(mktemp -d)"
cleanup() { rm -rf "$WORK"; buildah rm --all >/dev/null 2>&1 || true; }
trap cleanup EXIT

if buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  log "stand-in base $BASE already present"
else
  log "making the stand-in base $BASE (debootstrap bookworm + Node $(node --version))"
  debootstrap --variant=minbase --include=libstdc++6,ca-certificates bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  NODE_BIN="$(readlink -f "$(command -v node)")"
  NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  install -D -m 0755 "$NODE_BIN" "$WORK/rootfs/usr/local/bin/node"
  mkdir -p "$WORK/rootfs/usr/local/lib/node_modules"
  cp -a "$NPM_DIR" "$WORK/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$WORK/rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$WORK/rootfs/usr/local/bin/npx"
  # This machine's trust store, so the stand-in reaches registries the way this machine does
  # (some networks re-sign TLS with a local CA); a real base image would not need it.
  cp /etc/ssl/certs/ca-certificates.crt "$WORK/rootfs/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$WORK/rootfs/usr/local/etc"
  echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$WORK/rootfs/usr/local/etc/npmrc"
  rm -rf "$WORK/rootfs/var/cache/apt/archives"/*.deb "$WORK/rootfs/var/lib/apt/lists"/*
  ctr="$(buildah from scratch)"
  buildah copy "$ctr" "$WORK/rootfs" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$ctr"
  buildah commit --quiet "$ctr" "$BASE" >/dev/null
  buildah rm "$ctr" >/dev/null
  rm -rf "$WORK/rootfs"
fi

log "building the Dockerfile (NODE_VERSION=$NODE_MAJOR)"
start=$(date +%s)
buildah bud --format docker --isolation chroot --pull-never --layers=false --build-arg "NODE_VERSION=$NODE_MAJOR" -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; fail "the image did not build"; }
log "built $IMAGE in $(( $(date +%s) - start )) s"

ctr="$(buildah from --pull-never "$IMAGE")"
inside() { buildah run --isolation chroot --user "${RUN_AS:-claudeops}" "$ctr" -- "$@"; }

user="$(inside id -un)"
[ "$user" != root ] || fail "the image runs as root"
log "runs as: $user (uid $(inside id -u))"

version="$(inside claude --version)"
expected="$(node -p 'require("./package.json").devDependencies["@anthropic-ai/claude-code"]')"
case "$version" in "$expected"*) log "claude --version: $version" ;; *) fail "claude --version says '$version', package.json pins $expected" ;; esac

for tool in apprise tini curl jq git bwrap socat; do inside sh -c "command -v $tool" >/dev/null || fail "$tool is missing from the image"; done
log "apprise, tini, curl, jq, git, bwrap and socat are present"
# What the shipped checks run.
docker_v="$(inside docker --version)" || fail "docker --version failed in the image"
dig_v="$(inside dig -v 2>&1)" || fail "dig -v failed in the image"
openssl_v="$(inside openssl version)" || fail "openssl version failed in the image"
log "checks' tools: $docker_v · $dig_v · $openssl_v"

meta="$(buildah inspect --type image "$IMAGE")"
entry="$(printf '%s' "$meta" | node -e 'const c=JSON.parse(require("fs").readFileSync(0,"utf8")).OCIv1.config; console.log(JSON.stringify([...c.Entrypoint, ...(c.Cmd||[])]))')"
log "entrypoint: $entry"
case "$entry" in *tini*claudeops*run*) ;; *) fail "the entrypoint is not tini → claudeops run" ;; esac
health="$(printf '%s' "$meta" | node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(JSON.stringify(j.Docker.config.Healthcheck||j.Docker.config.healthcheck||{}))')"
case "$health" in *healthz*) log "healthcheck: $health" ;; *) fail "no HEALTHCHECK on /healthz ($health)" ;; esac

# buildah's chroot isolation refuses new namespaces, as Docker's default seccomp profile does:
# the sandbox cannot start there, and validate must say so, with the fix, and exit 2.
set +e
out="$(inside env ANTHROPIC_API_KEY=sk-smoke-test claudeops validate 2>&1)"
code=$?
set -e
printf '%s\n' "$out" | sed 's/^/    /'
[ "$code" = 2 ] || fail "claudeops validate exited $code inside a namespace-less container, not 2"
printf '%s\n' "$out" | grep -q "claude .*$expected" || fail "validate did not find the pinned CLI"
printf '%s\n' "$out" | grep -q 'CLAUDEOPS_SANDBOX=required: bubblewrap cannot create the sandbox.*security_opt' || fail "validate did not name the sandbox problem and its fix"
[ "$(printf '%s\n' "$out" | grep -c '^  - ')" = 1 ] || fail "validate found more than the sandbox problem"
set +e
out="$(inside env ANTHROPIC_API_KEY=sk-smoke-test CLAUDEOPS_SANDBOX=off claudeops validate 2>&1)"
code=$?
set -e
[ "$code" = 0 ] || { printf '%s\n' "$out"; fail "claudeops validate with CLAUDEOPS_SANDBOX=off exited $code inside the image"; }
log "validate: exit 2 naming the sandbox fix where namespaces are refused; exit 0 otherwise"

set +e
out="$(inside env CLAUDEOPS_INTERVAL=soon claudeops validate 2>&1)"
code=$?
set -e
[ "$code" = 2 ] || fail "validate with a bad configuration exited $code, not 2"
printf '%s\n' "$out" | grep -q 'ANTHROPIC_API_KEY is unset' || fail "validate did not report the missing key"
log "validate reports a bad configuration with exit 2"

# A real cycle inside the image: the pinned CLI against the project's fake Messages API on loopback.
if [ -f dist/test/fake-api-server.js ]; then
  node dist/test/fake-api-server.js >"$WORK/fake.url" 2>"$WORK/fake.err" &
  fake_pid=$!
  for _ in $(seq 50); do [ -s "$WORK/fake.url" ] && break; sleep 0.1; done
  url="$(head -1 "$WORK/fake.url")"
  # Where namespaces are refused, tier 1 does not run at all: exit 3, exit class sandbox, no API call.
  set +e
  out="$(inside env ANTHROPIC_API_KEY=sk-smoke-test ANTHROPIC_BASE_URL="$url" CLAUDEOPS_HTTP_PORT=off claudeops once 2>&1)"
  code=$?
  set -e
  [ "$code" = 3 ] || { printf '%s\n' "$out" | tail -20; fail "claudeops once without namespaces exited $code, not 3"; }
  printf '%s\n' "$out" | grep -q 'FAILED   sandbox: the OS sandbox cannot start' || fail "the refused tier was not recorded as sandbox"
  log "without namespaces, tier 1 refused to run (exit 3, class sandbox)"

  # The image's root file system entered the way a container engine enters it (a mount
  # namespace with the image as its root, the host's network for the fake API): there the
  # agent's Bash call runs in bubblewrap. As root, since entering a root needs it here.
  mnt="$(buildah mount "$ctr")"
  envs=()
  while IFS= read -r kv; do envs+=(--setenv "${kv%%=*}" "${kv#*=}"); done < <(printf '%s' "$meta" | node -e 'for (const kv of JSON.parse(require("fs").readFileSync(0,"utf8")).OCIv1.config.Env) console.log(kv)')
  set +e
  # /proc is the host's whole, as a container has it with the compose file's `systempaths=unconfined`
  # (a fresh bwrap /proc has read-only overmounts, like Docker's masked paths, and the cage
  # cannot mount its own /proc from a user namespace under those).
  out="$(bwrap --bind "$mnt" / --dev /dev --bind /proc /proc --tmpfs /tmp --die-with-parent "${envs[@]}" --setenv HOME /root \
    --setenv ANTHROPIC_API_KEY sk-smoke-test --setenv ANTHROPIC_BASE_URL "$url" --setenv CLAUDEOPS_HTTP_PORT off \
    -- sh -c 'claudeops once; code=$?; test ! -e /tmp/claudeops-escape || echo ESCAPE-FILE-EXISTS; exit $code' 2>&1)"
  code=$?
  set -e
  buildah umount "$ctr" >/dev/null
  kill "$fake_pid" 2>/dev/null || true
  # The story lines, from the JSON records the daemon writes off a terminal.
  printf '%s\n' "$out" | grep '"tier":1,' | sed -n 's/.*"msg":"\(.*\)"}$/    \1/p' || true
  [ "$code" = 0 ] || { printf '%s\n' "$out" | tail -20; fail "claudeops once inside the image exited $code"; }
  printf '%s\n' "$out" | grep -q 'containment OS sandbox' || fail "tier 1 did not run in the OS sandbox"
  printf '%s\n' "$out" | grep -q 'sandbox-held' || fail "a write outside the work dir was not refused inside the image"
  printf '%s\n' "$out" | grep -q 'ESCAPE-FILE-EXISTS' && fail "the sandboxed command wrote /tmp inside the image"
  log "a real cycle ran inside the image (exit 0), its Bash call sandboxed: a write to /tmp was refused"
else
  log "dist/test is not built (npm run build): skipped the in-image cycle"
fi

buildah rm "$ctr" >/dev/null
log "PASS"
