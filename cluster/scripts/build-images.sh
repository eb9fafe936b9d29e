#!/usr/bin/env bash
# Builds PrunerCluster's container images with podman or docker: a self-contained linux-x64 publish of the silo and the
# CLI, then cluster/docker/Dockerfile.<flavor> over it (the publish folder is the build context; no SDK image).
#
#   bash cluster/scripts/build-images.sh                 # the CPU image, prunercluster/silo-cpu:<chart appVersion>
#   bash cluster/scripts/build-images.sh --cuda          # the CUDA image, where its base and NuGet's CUDA packages are reachable
#   bash cluster/scripts/build-images.sh --base IMAGE    # any Debian 12 base instead of the public .NET runtime-deps image
#   bash cluster/scripts/build-images.sh --postgresql    # the chart's trial database, prunercluster/postgresql:15, from
#                                                        # Debian's postgresql-15 where postgres:15 cannot be pulled
#
# Where the public base cannot be pulled (no registry reachable), the CPU image is built on a local Debian 12 minbase
# image made once with debootstrap + import (root; about 2 minutes) and reused after that. Prints the publish size and
# the image size at the end. Run as root where podman needs it (see cluster/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
  cat <<'EOF'
usage: build-images.sh [--cpu | --cuda | --postgresql] [--engine podman|docker] [--base IMAGE] [--local-base] [--tag TAG] [--skip-publish]
  --cpu           the CPU image (default): cluster/docker/Dockerfile.cpu, TorchBackend=cpu
  --cuda          the CUDA image: cluster/docker/Dockerfile.cuda, TorchBackend=cuda (needs its base and TorchSharp-cuda-linux)
  --postgresql    the trial PostgreSQL 15 image for the chart's postgresql.image: cluster/docker/Dockerfile.postgresql
                  on the local Debian minbase (or --base), no publish
  --engine E      podman or docker (default: podman if installed, else docker)
  --base IMAGE    base image (default: mcr.microsoft.com/dotnet/runtime-deps:10.0-bookworm-slim, else the local one)
  --local-base    skip the public base: use (or make) the local Debian minbase image (CPU only)
  --tag TAG       image tag (default: the chart's appVersion)
  --skip-publish  reuse artifacts/images/<flavor>/app from an earlier run
EOF
}

flavor=cpu engine="" base="" local_base=0 tag="" skip_publish=0
public_base=mcr.microsoft.com/dotnet/runtime-deps:10.0-bookworm-slim
local_base_image=localhost/prunercluster-debian:bookworm-minbase
while (($#)); do
  case "$1" in
    --cpu) flavor=cpu ;;
    --cuda) flavor=cuda ;;
    --postgresql) flavor=postgresql ;;
    --engine) engine="${2:?--engine needs podman or docker}"; shift ;;
    --base) base="${2:?--base needs an image name}"; shift ;;
    --local-base) local_base=1 ;;
    --tag) tag="${2:?--tag needs a value}"; shift ;;
    --skip-publish) skip_publish=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$engine" ]; then
  if command -v podman >/dev/null; then engine=podman
  elif command -v docker >/dev/null; then engine=docker
  else echo "error: neither podman nor docker is installed (bash cluster/scripts/install-prerequisites.sh installs podman)" >&2; exit 1
  fi
fi
case "$engine" in
  podman|docker) command -v "$engine" >/dev/null || { echo "error: --engine $engine: '$engine' is not on PATH" >&2; exit 1; } ;;
  *) echo "error: --engine must be podman or docker, got '$engine'" >&2; exit 2 ;;
esac
if [ "$engine" = docker ] && ! docker info >/dev/null 2>&1; then
  echo "error: docker cannot reach a daemon (start dockerd, or use --engine podman)" >&2; exit 1
fi
if [ "$flavor" = cuda ] && [ "$local_base" -eq 1 ]; then
  echo "error: --local-base builds the CPU image only; the CUDA image needs its own base (--base IMAGE)" >&2; exit 2
fi

version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/prunercluster/Chart.yaml)
[ -n "$version" ] || { echo "error: no appVersion in helm/prunercluster/Chart.yaml" >&2; exit 1; }
tag="${tag:-$version}"
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no -- src Directory.Build.props Directory.Build.targets Directory.Packages.props cluster/docker 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
image="prunercluster/silo-$flavor:$tag"
[ "$flavor" != postgresql ] || image="prunercluster/postgresql:15"

# Whether an image can be had: present locally, or pulled within a minute.
available() {
  "$engine" image inspect "$1" >/dev/null 2>&1 && return 0
  echo "== pulling $1" >&2
  timeout 60 "$engine" pull -q "$1" >/dev/null 2>"$tmp/pull.err"
}

make_local_base() {
  command -v debootstrap >/dev/null || { echo "error: debootstrap is not installed (bash cluster/scripts/install-prerequisites.sh)" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] || { echo "error: making the local base image needs root (debootstrap)" >&2; exit 1; }
  local rootfs="$tmp/rootfs"
  echo "== making $local_base_image: debootstrap --variant=minbase bookworm (once; reused afterwards)" >&2
  nice -n 19 debootstrap --variant=minbase bookworm "$rootfs" >"$tmp/debootstrap.log" 2>&1 \
    || { tail -20 "$tmp/debootstrap.log" >&2; echo "error: debootstrap failed (log above)" >&2; exit 1; }
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  tar -C "$rootfs" -c . | "$engine" import - "$local_base_image" >/dev/null
  rm -rf "$rootfs"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "$base" ] && [ "$flavor" = postgresql ]; then
  "$engine" image inspect "$local_base_image" >/dev/null 2>&1 || make_local_base
  base="$local_base_image"
elif [ -z "$base" ]; then
  if [ "$local_base" -eq 0 ] && available "$public_base"; then
    base="$public_base"
  elif [ "$flavor" = cuda ]; then
    echo "error: the CUDA image is not built here: its base $public_base cannot be pulled ($(tail -1 "$tmp/pull.err" 2>/dev/null || echo 'no registry reachable'))," >&2
    echo "       and its publish needs TorchSharp-cuda-linux (CUDA 12.8, several GB) from NuGet. Build it where both are" >&2
    echo "       reachable, or pass --base with a Debian 12 image this engine holds and a NuGet feed that serves the CUDA packages." >&2
    exit 1
  else
    [ "$local_base" -eq 1 ] || echo "== $public_base cannot be pulled; using the local Debian 12 base $local_base_image" >&2
    "$engine" image inspect "$local_base_image" >/dev/null 2>&1 || make_local_base
    base="$local_base_image"
  fi
elif ! available "$base"; then
  echo "error: --base $base: the image is neither held by $engine nor pullable ($(tail -1 "$tmp/pull.err" 2>/dev/null))" >&2
  exit 1
fi

if [ "$flavor" = postgresql ]; then
  echo "== $engine build $image (base $base)" >&2
  nice -n 19 "$engine" build -f cluster/docker/Dockerfile.postgresql --build-arg BASE_IMAGE="$base" -t "$image" cluster/docker/postgresql
  image_bytes=$("$engine" image inspect --format '{{.Size}}' "$image")
  echo "built $image: image $((image_bytes / 1048576)) MiB ($image_bytes bytes), base $base"
  exit 0
fi

context="artifacts/images/$flavor"
if [ "$skip_publish" -eq 0 ]; then
  rm -rf "$context/app"
  mkdir -p "$context"
  for project in src/PrunerCluster.Silo src/PrunerCluster.Cli; do
    echo "== dotnet publish $project (self-contained, linux-x64, TorchBackend=$flavor)" >&2
    # Its own artifacts path: intermediate files never mix with the working tree's bin/ and obj/. The Engine library
    # references the client executable, which it builds without the RID while the publish builds it with one: both copies
    # of prunercluster-client's apphost, deps.json and runtimeconfig.json land in one folder (NETSDK1152). They are the
    # same files for the same client, and the images run prunercluster-silo and prunercluster, so one copy is kept.
    nice -n 19 dotnet publish "$project" -c Release -r linux-x64 --self-contained -p:TorchBackend="$flavor" \
      -p:ErrorOnDuplicatePublishOutputFiles=false --artifacts-path "$context/build" -o "$context/app" -nologo -v quiet
  done
fi
# libtorch's Python binding and its test and backend-example libraries: nothing loads them (TorchSharp needs libtorch,
# libtorch_cpu, libc10, their libgomp and libLibTorchSharp); about 35 MB.
rm -f "$context/app/"{libtorch_python.so,libjitbackend_test.so,libtorchbind_test.so,libbackend_with_compiler.so,libaoti_custom_ops.so,libnnapi_backend.so}
for f in prunercluster-silo prunercluster libLibTorchSharp.so; do
  [ -e "$context/app/$f" ] || { echo "error: $context/app/$f missing after publish" >&2; exit 1; }
done
# Only linux-x64 natives: a RID-specific publish flattens runtimes/linux-x64 and leaves other platforms out.
foreign=$(find "$context/app" \( -path '*/runtimes/*' -o -name '*.dylib' -o -iname '*.exe' \) -print | head -5)
[ -z "$foreign" ] || { echo "error: other platforms' files in the publish: $foreign" >&2; exit 1; }

echo "== $engine build $image (base $base, version $version, revision $revision)" >&2
nice -n 19 "$engine" build -f "cluster/docker/Dockerfile.$flavor" \
  --build-arg BASE_IMAGE="$base" --build-arg VERSION="$version" --build-arg REVISION="$revision" \
  -t "$image" "$context"

publish_mb=$(du -sm "$context/app" | cut -f1)
image_bytes=$("$engine" image inspect --format '{{.Size}}' "$image")
echo "built $image: publish $publish_mb MiB, image $((image_bytes / 1048576)) MiB ($image_bytes bytes), base $base"
