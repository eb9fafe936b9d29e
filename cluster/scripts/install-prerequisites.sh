#!/usr/bin/env bash
# Installs the Debian packages PrunerCluster needs: the Fashion-MNIST data set and PostgreSQL (multi-machine clustering
# and storage); chromium (headless, the HTML report's browser test) and tmux (the live view's terminal test).
# Idempotent; needs root (or sudo) on Debian 12. The .NET SDK itself is expected on PATH.
set -euo pipefail

packages=(dataset-fashion-mnist chromium tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it first" >&2; exit 1; }
