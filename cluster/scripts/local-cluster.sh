#!/usr/bin/env bash
# Starts a real multi-silo PrunerCluster on this machine: N silo processes with localhost clustering on distinct ports
# (silo 0 is the primary that keeps membership; no database needed), prints the gateway ports and the CLI commands to
# use, and stops every silo it started on Ctrl+C.
#
#   cluster/scripts/local-cluster.sh                 # 2 silos, 1 slot each, device auto (cuda if present, else cpu)
#   cluster/scripts/local-cluster.sh -n 3 --slots 2  # 3 silos x 2 slots
#   cluster/scripts/local-cluster.sh --synthetic     # also enable the synthetic test backend ("backend": "synthetic")
#
# Options:
#   -n, --silos N            number of silo processes (default 2)
#   --slots N                evaluation slots per device on every silo (default 1)
#   --device-kind KIND       auto | cpu | cuda (default auto)
#   --threads N              libtorch threads per evaluation (default: CPU cores / (silos x slots), at least 1)
#   --silo-port P            first silo port (default 11111); silo i uses P+i
#   --gateway-port P         first gateway port (default 30000); silo i uses P+i
#   --cluster-id ID          Orleans cluster id (default prunercluster)
#   --synthetic              register the synthetic backend too (tests, benchmarks, trying the cluster without training)
#   --configuration C        build configuration (default Release)
#   --no-build               use the existing build output
#   --logs DIR               where silo logs go (default .prunercluster/local-cluster)
#   -- ARGS...               extra arguments for every silo, e.g. -- --PrunerCluster:TorchSharp:CheckpointCacheDirectory=/data/ckpt
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
silos=2
slots=1
device_kind=auto
threads=""
silo_port=11111
gateway_port=30000
cluster_id=prunercluster
synthetic=false
configuration=Release
build=true
logs="$repo/.prunercluster/local-cluster"
extra=()

die() { echo "local-cluster: $*" >&2; exit 2; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "option $1 needs a value"; }
need_int() { [[ "$2" =~ ^[0-9]+$ ]] || die "option $1 must be a non-negative integer, got '$2'"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|--silos) need_value "$@"; need_int "$1" "$2"; silos="$2"; shift 2 ;;
    --slots) need_value "$@"; need_int "$1" "$2"; slots="$2"; shift 2 ;;
    --device-kind) need_value "$@"; device_kind="$2"; shift 2 ;;
    --threads) need_value "$@"; need_int "$1" "$2"; threads="$2"; shift 2 ;;
    --silo-port) need_value "$@"; need_int "$1" "$2"; silo_port="$2"; shift 2 ;;
    --gateway-port) need_value "$@"; need_int "$1" "$2"; gateway_port="$2"; shift 2 ;;
    --cluster-id) need_value "$@"; cluster_id="$2"; shift 2 ;;
    --synthetic) synthetic=true; shift ;;
    --configuration) need_value "$@"; configuration="$2"; shift 2 ;;
    --no-build) build=false; shift ;;
    --logs) need_value "$@"; logs="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

(( silos >= 1 )) || die "--silos must be at least 1"
case "$device_kind" in auto|cpu|cuda) ;; *) die "--device-kind must be auto, cpu or cuda, got '$device_kind'" ;; esac
if [[ -z "$threads" ]]; then
  cores="$(nproc 2>/dev/null || echo 1)"
  per=$(( silos * (slots > 0 ? slots : 1) ))
  threads=$(( cores / per > 0 ? cores / per : 1 ))
fi
(( threads >= 1 )) || die "--threads must be at least 1"

# True when something accepts TCP connections on 127.0.0.1:$1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for (( i = 0; i < silos; i++ )); do
  for port in $(( silo_port + i )) $(( gateway_port + i )); do
    (( port >= 1 && port <= 65535 )) || die "port $port is out of range"
    if listening "$port"; then
      die "port $port is already in use (another local cluster?); pick others with --silo-port/--gateway-port"
    fi
  done
done

mkdir -p "$logs"
dll="$repo/src/PrunerCluster.Silo/bin/$configuration/net10.0/prunercluster-silo.dll"
if [[ "$build" == true ]]; then
  echo "local-cluster: building src/PrunerCluster.Silo ($configuration, log $logs/build.log)..."
  if ! dotnet build "$repo/src/PrunerCluster.Silo" -c "$configuration" -nologo >"$logs/build.log" 2>&1; then
    tail -n 30 "$logs/build.log" >&2
    die "build failed (dotnet build src/PrunerCluster.Silo -c $configuration; full log $logs/build.log)"
  fi
fi
[[ -f "$dll" ]] || die "$dll not found; build it (dotnet build src/PrunerCluster.Silo -c $configuration) or drop --no-build"

pids=()
stopping=false
stop() {
  [[ "$stopping" == true ]] && return
  stopping=true
  trap - INT TERM EXIT
  if (( ${#pids[@]} > 0 )); then
    echo
    echo "local-cluster: stopping ${#pids[@]} silo(s)..."
    # Newest first, so the primary (which keeps membership) goes last.
    for (( k = ${#pids[@]} - 1; k >= 0; k-- )); do
      kill -TERM "${pids[$k]}" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
  fi
  echo "local-cluster: stopped. Logs: $logs"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

gateways=""
for (( i = 0; i < silos; i++ )); do
  sp=$(( silo_port + i ))
  gp=$(( gateway_port + i ))
  log="$logs/silo-$i.log"
  (
    cd "$(dirname "$dll")"
    exec dotnet "$dll" \
      "--PrunerCluster:Cluster:SiloPort=$sp" \
      "--PrunerCluster:Cluster:GatewayPort=$gp" \
      "--PrunerCluster:Cluster:PrimarySiloPort=$silo_port" \
      "--PrunerCluster:Cluster:ClusterId=$cluster_id" \
      "--PrunerCluster:Cluster:EnableSyntheticBackend=$synthetic" \
      "--PrunerCluster:DeviceKind=$device_kind" \
      "--PrunerCluster:SlotsPerDevice=$slots" \
      "--PrunerCluster:TorchSharp:Threads=$threads" \
      "${extra[@]}"
  ) >"$log" 2>&1 &
  pids+=("$!")
  echo "local-cluster: silo $i (pid $!) silo port $sp, gateway $gp$( (( i == 0 )) && echo ', primary'), log $log"

  # A secondary joins through the primary's membership, so each silo must be up before the next starts.
  for (( t = 0; t < 1200; t++ )); do
    listening "$gp" && break
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -n 30 "$log" >&2; die "silo $i exited during startup (log: $log)"; }
    sleep 0.1
  done
  listening "$gp" || { tail -n 30 "$log" >&2; die "silo $i's gateway $gp did not open within 120 s (log: $log)"; }
  gateways="${gateways:+$gateways,}$gp"
done

cli="dotnet run --project src/PrunerCluster.Cli -c $configuration --"
conn="--gateway $gateways"
[[ "$cluster_id" != prunercluster ]] && conn="$conn --cluster-id $cluster_id"
cat <<EOF

local-cluster: $silos silo(s) up, cluster '$cluster_id', $slots slot(s) per device, device $device_kind, $threads libtorch thread(s) per evaluation.
Gateway ports: $gateways

From another terminal in $repo:
  $cli submit src/PrunerCluster.Cli/examples/fashion-mnist-vgg.json $conn --wait
  $cli list $conn
  $cli status <experiment-id> $conn
  $cli pareto <experiment-id> $conn            (add --json or --csv)
  $cli cancel|pause|resume <experiment-id> $conn

Ctrl+C stops every silo started here.
EOF

# Wait until Ctrl+C, or until any silo exits on its own (then stop the rest).
while true; do
  for (( i = 0; i < ${#pids[@]}; i++ )); do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "local-cluster: silo $i (pid ${pids[$i]}) exited; see $logs/silo-$i.log" >&2
      tail -n 20 "$logs/silo-$i.log" >&2 || true
      exit 1
    fi
  done
  sleep 1
done
