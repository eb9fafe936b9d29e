#!/usr/bin/env bash
# Installs the Debian packages PrunerCluster needs: the Fashion-MNIST data set and PostgreSQL (multi-machine clustering
# and storage). Idempotent; needs root (or sudo) on Debian 12. The .NET SDK itself is expected on PATH.
set -euo pipefail

# chromium: the HTML report's headless browser test; tmux: the live view's terminal test.
# postgresql: server binaries in /usr/lib/postgresql/N/bin for cluster/scripts/local-cluster.sh --postgres and the tests'
# private servers (own data directory and port, never the system service), plus psql.
# podman, buildah, runc, debootstrap, uidmap, slirp4netns: cluster/scripts/build-images.sh (images built on a local
# Debian base made with debootstrap; podman run with runc, see containers.conf below); catatonit and the CNI dnsname
# plugin: 'podman kube play' (its pause image) and pods finding each other by name on a user network.
packages=(dataset-fashion-mnist postgresql chromium tmux podman buildah runc debootstrap uidmap slirp4netns catatonit
  golang-github-containernetworking-plugin-dnsname)
# node and npm: tests/kubernetes-schema validates the chart's rendered manifests against the Kubernetes API's schemas
# (Debian's nodejs 18 is enough; a node of your own, with its npm, is kept).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Our servers are private (initdb into a folder we own): keep Debian from creating and starting its own 'main' cluster.
  if [ ! -e /etc/postgresql-common/createcluster.d/prunercluster.conf ]; then
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/prunercluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# podman on our machines: crun fails on hybrid cgroups ("cgroups in hybrid mode not supported") and raising an rlimit is
# not permitted, so containers run with runc, cgroupfs and no default ulimits. Written only where no containers.conf
# exists (an operator's own file is left alone; CONTAINERS_CONF can name this content instead).
if [ "$(id -u)" -eq 0 ] && [ ! -e /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  cat > /etc/containers/containers.conf <<'EOF'
# Written by PrunerCluster's cluster/scripts/install-prerequisites.sh (see cluster/README.md, "Container images").
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
fi

# The schema validator's packages, at the versions its committed lockfile pins.
(cd "$(dirname "$0")/../../tests/kubernetes-schema" && npm ci --no-audit --no-fund --loglevel=error)

ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "error: PostgreSQL server binaries missing under /usr/lib/postgresql/*/bin after install" >&2; exit 1; }
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it first" >&2; exit 1; }
