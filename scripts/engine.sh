# Shared by scripts/compose-e2e.sh and scripts/swarm-e2e.sh (sourced, not run): a Docker engine of
# the script's own, the stand-in base image, Compose v2. The caller defines log and fail, and runs
# as root under set -euo pipefail.

DOCKERD_PID="${DOCKERD_PID:-}"

# engine_start DIR [dockerd flags…]: Debian's dockerd with its own state under DIR (vfs, no
# iptables, no bridge), listening on $DOCKER_HOST, which the caller sets (unix://DIR/sock).
# Sets DOCKERD_PID.
engine_start() {
  local dir="$1"; shift
  mkdir -p "$dir"
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs --group 10001 \
    --data-root="$dir/root" --exec-root="$dir/exec" --pidfile="$dir/pid" -H "$DOCKER_HOST" "$@" >"$dir/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 150); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  docker version >/dev/null 2>&1 || { tail -20 "$dir/dockerd.log"; fail "dockerd did not start"; }
}

# engine_stop: the engine started by engine_start, by its PID (SIGTERM, then SIGKILL after 30 s).
engine_stop() {
  [ -n "$DOCKERD_PID" ] || return 0
  kill "$DOCKERD_PID" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$DOCKERD_PID" 2>/dev/null
  DOCKERD_PID=""
}

# unmount_under DIR: dockerd leaves network namespaces (and a dead engine its container mounts)
# mounted under its root; rm cannot remove a mount point.
unmount_under() {
  awk -v w="$1/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r -n1 umount -l
}

# standin_base WORK: Docker Hub is out of reach, so node:<this machine's Node major>-slim is a
# stand-in, a minimal Debian plus this machine's Node and npm, unless the engine has it already.
# Sets NODE_MAJOR and BASE.
standin_base() {
  local work="$1" rootfs="$1/rootfs" node_bin npm_dir
  NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
  BASE="node:${NODE_MAJOR}-slim"
  docker image inspect "$BASE" >/dev/null 2>&1 && return 0
  debootstrap --variant=minbase --include=libstdc++6,ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
  node_bin="$(readlink -f "$(command -v node)")"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # This machine's CA bundle: the registries may be reached through a proxy that signs with its own CA.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$rootfs/usr/local/etc"
  echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$rootfs/usr/local/etc/npmrc"
  rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' -c 'CMD ["node"]' - "$BASE" >/dev/null
  rm -rf "$rootfs"
}

# compose_v2 WORK: Debian 12 has only Compose v1, which rejects systempaths=unconfined; trixie's
# docker-compose package has v2. Installed as a CLI plugin of root's unless docker compose works.
compose_v2() {
  docker compose version >/dev/null 2>&1 && return 0
  log "fetching Compose v2 (Debian trixie's docker-compose)"
  local t="$1/trixie"
  mkdir -p "$t/lists/partial" "$t/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$t/sources.list"
  local apt=(-o "Dir::Etc::SourceList=$t/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$t/lists" -o "Dir::Cache=$t/cache" -o "Dir::Cache::Archives=$t/archives")
  apt-get "${apt[@]}" update -qq >/dev/null
  (cd "$t" && apt-get "${apt[@]}" download docker-compose >/dev/null 2>&1) || fail "could not download trixie's docker-compose"
  dpkg-deb -x "$t"/docker-compose_*.deb "$t/x"
  install -D -m 0755 "$t/x/usr/libexec/docker/cli-plugins/docker-compose" "${HOME:-/root}/.docker/cli-plugins/docker-compose"
}
