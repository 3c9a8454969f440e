#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and run Berth, then builds it:
# the apt packages it runs on, pnpm, the workspace's dependencies, `pnpm build`.
# Installs only what is missing, so running it again costs a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  runc conmon containernetworking-plugins iptables   # the runtime and networking
  iproute2 util-linux procps tini                    # namespaces and veths, unshare/nsenter, docker top, --init
  redis-server                                       # the private Redis of the launcher
  busybox-static docker-registry skopeo              # test fixtures and the test registry
  docker-compose                                     # the Compose end-to-end test (Compose 1.29)
  protobuf-compiler                                  # libs/proto's build
  attr xz-utils zstd bzip2                            # layer extraction: xattrs, compressed layers
  openssl curl jq
  gcc libc6-dev                                      # container-service's fs helper addon; the static probes of the security tests
)
PNPM_VERSION=9.15.9

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

need_node_major=20
if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js ${need_node_major} or newer is required and was not found" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt "$need_node_major" ]; then
  echo "setup: Node.js ${need_node_major} or newer is required, found $(node -v)" >&2
  exit 1
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing pnpm@${PNPM_VERSION}"
  "${SUDO[@]}" npm install -g --silent "pnpm@${PNPM_VERSION}"
fi

if [ ! -x /usr/local/bin/docker ]; then
  echo "setup: note: /usr/local/bin/docker (the Docker CLI the end-to-end tests drive) is missing" >&2
fi

if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
pnpm build
