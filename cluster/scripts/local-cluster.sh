#!/usr/bin/env bash
# Starts a real multi-silo PrunerCluster on this machine: N silo processes on distinct ports, prints the gateway ports and
# the CLI commands to use (and how to kill, restart and add silos), and stops everything it started on Ctrl+C. A silo that
# dies does not stop the others.
#   Default (localhost clustering): silo 0 is the primary that keeps membership in memory; no database. Losing silo 0
#   loses the cluster.
#   --postgres: a private PostgreSQL server from Debian's packages (own data directory under --logs, own port, loopback
#   only, trust auth for local users, no system service; as root it runs as user 'postgres'), the schema applied with
#   'prunercluster db init', and every silo keeping membership, grain state and reminders there: no primary, any silo may
#   die, the whole cluster may stop and start again (experiments resume).
#
#   cluster/scripts/local-cluster.sh                 # 2 silos, 1 slot each, device auto (cuda if present, else cpu)
#   cluster/scripts/local-cluster.sh -n 3 --slots 2  # 3 silos x 2 slots
#   cluster/scripts/local-cluster.sh --synthetic     # also enable the synthetic test backend ("backend": "synthetic")
#   cluster/scripts/local-cluster.sh --postgres -n 3 # 3 silos on a private PostgreSQL
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
#   --postgres               PostgreSQL clustering and storage (private server, see above)
#   --pg-port P              port of the private PostgreSQL server (default 55432)
#   --configuration C        build configuration (default Release)
#   --no-build               use the existing build output
#   --logs DIR               where silo logs (and, with --postgres, the database) go (default .prunercluster/local-cluster)
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
postgres=false
pg_port=55432
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
    --postgres) postgres=true; shift ;;
    --pg-port) need_value "$@"; need_int "$1" "$2"; pg_port="$2"; shift 2 ;;
    --configuration) need_value "$@"; configuration="$2"; shift 2 ;;
    --no-build) build=false; shift ;;
    --logs) need_value "$@"; logs="$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
(( pg_port >= 1 && pg_port <= 65535 )) || die "--pg-port $pg_port is out of range"

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
logs="$(cd "$logs" && pwd)"
# Two thin executables over the engine: the silo (src/PrunerCluster.Silo) and the CLI (src/PrunerCluster.Cli).
project=src/PrunerCluster.Silo
bin_dir="$repo/$project/bin/$configuration/net10.0"
dll="$bin_dir/prunercluster-silo.dll"
cli_dll="$repo/src/PrunerCluster.Cli/bin/$configuration/net10.0/prunercluster.dll"
if [[ "$build" == true ]]; then
  for p in "$project" src/PrunerCluster.Cli; do
    echo "local-cluster: building $p ($configuration, log $logs/build.log)..."
    if ! dotnet build "$repo/$p" -c "$configuration" -nologo >>"$logs/build.log" 2>&1; then
      tail -n 30 "$logs/build.log" >&2
      die "build failed (dotnet build $p -c $configuration; full log $logs/build.log)"
    fi
  done
fi
[[ -f "$dll" ]] || die "$dll not found; build it (dotnet build $project -c $configuration) or drop --no-build"
[[ -f "$cli_dll" ]] || die "$cli_dll not found; build it (dotnet build src/PrunerCluster.Cli -c $configuration) or drop --no-build"

# Private PostgreSQL: initdb once into $logs/postgres/data, start on 127.0.0.1:$pg_port, create the database, apply the schema.
pg_dir="$logs/postgres"
pg_data="$pg_dir/data"
pg_bin=""
pg_started=false
as_pg() { if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; run: bash cluster/scripts/install-prerequisites.sh"
  listening "$pg_port" && die "port $pg_port is already in use; pick another with --pg-port"
  mkdir -p "$pg_dir"
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres:postgres "$pg_dir"; fi
  if [[ ! -f "$pg_data/PG_VERSION" ]]; then
    echo "local-cluster: initdb $pg_data"
    as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C >"$pg_dir/initdb.log" 2>&1 \
      || { tail -n 20 "$pg_dir/initdb.log" >&2; die "initdb failed (log $pg_dir/initdb.log)"; }
  fi
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null \
    || { tail -n 20 "$pg_dir/server.log" >&2; die "PostgreSQL did not start (log $pg_dir/server.log)"; }
  pg_started=true
  if ! as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'prunercluster'" | grep -q 1; then
    as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "CREATE DATABASE prunercluster" >/dev/null
  fi
  # The silos and the CLI read the connection string from this file (never from their command lines).
  umask 077
  printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=prunercluster' "$pg_port" >"$pg_dir/connection-string"
  umask 022
  export PRUNERCLUSTER_POSTGRES_FILE="$pg_dir/connection-string"
  echo "local-cluster: PostgreSQL $(basename "$(dirname "$pg_bin")") on 127.0.0.1:$pg_port, data $pg_data"
  dotnet "$cli_dll" db init || die "schema migration failed"
}
stop_postgres() {
  if [[ "$pg_started" == true ]]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
    pg_started=false
    echo "local-cluster: PostgreSQL stopped (data kept in $pg_data: run again to resume the experiments)"
  fi
}

pids=()
stopping=false
stop() {
  [[ "$stopping" == true ]] && return
  stopping=true
  trap - INT TERM EXIT
  if (( ${#pids[@]} > 0 )); then
    echo
    echo "local-cluster: stopping ${#pids[@]} silo(s)..."
    # Newest first, so a localhost primary (which keeps membership) goes last.
    local order=("${!pids[@]}")
    for (( k = ${#order[@]} - 1; k >= 0; k-- )); do
      kill -TERM "${pids[${order[$k]}]}" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
  fi
  stop_postgres
  echo "local-cluster: stopped. Logs: $logs"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

if [[ "$postgres" == true ]]; then start_postgres; fi

# The arguments of silo $1 (0-based): everything but the ports is shared, so a restarted or added silo matches the others.
silo_args() {
  local i="$1"
  printf '%s\n' \
    "--PrunerCluster:Cluster:SiloPort=$(( silo_port + i ))" \
    "--PrunerCluster:Cluster:GatewayPort=$(( gateway_port + i ))" \
    "--PrunerCluster:Cluster:ClusterId=$cluster_id" \
    "--PrunerCluster:Cluster:EnableSyntheticBackend=$synthetic" \
    "--PrunerCluster:DeviceKind=$device_kind" \
    "--PrunerCluster:SlotsPerDevice=$slots" \
    "--PrunerCluster:TorchSharp:Threads=$threads"
  if [[ "$postgres" == true ]]; then
    printf '%s\n' "--PrunerCluster:Cluster:Mode=postgres" "--PrunerCluster:Cluster:AdvertisedAddress=127.0.0.1"
  else
    printf '%s\n' "--PrunerCluster:Cluster:PrimarySiloPort=$silo_port"
  fi
}

rm -f "$logs"/silo-*.pid
gateways=""
for (( i = 0; i < silos; i++ )); do
  sp=$(( silo_port + i ))
  gp=$(( gateway_port + i ))
  log="$logs/silo-$i.log"
  mapfile -t args < <(silo_args "$i")
  (
    cd "$bin_dir"
    exec dotnet "$dll" "${args[@]}" "${extra[@]}"
  ) >"$log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$logs/silo-$i.pid"
  role=""
  if [[ "$postgres" != true ]] && (( i == 0 )); then role=", primary"; fi
  echo "local-cluster: silo $i (pid $!) silo port $sp, gateway $gp$role, log $log"

  # Each silo is up before the next starts (a localhost secondary joins through the primary's membership).
  for (( t = 0; t < 1200; t++ )); do
    listening "$gp" && break
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -n 30 "$log" >&2; die "silo $i exited during startup (log: $log)"; }
    sleep 0.1
  done
  listening "$gp" || { tail -n 30 "$log" >&2; die "silo $i's gateway $gp did not open within 120 s (log: $log)"; }
  gateways="${gateways:+$gateways,}$gp"
done

cli="dotnet $cli_dll"
if [[ "$postgres" == true ]]; then
  conn="--connection-string-file $pg_dir/connection-string"
  env_prefix="PRUNERCLUSTER_POSTGRES_FILE=$pg_dir/connection-string "
  survives="the others keep running and its work is re-issued elsewhere; any silo may go"
  where="; membership, grain state and reminders in PostgreSQL 127.0.0.1:$pg_port (database prunercluster)"
  also=" and PostgreSQL (its data stays: run again and the experiments resume)"
else
  conn="--gateway $gateways"
  env_prefix=""
  survives="the others keep running; killing silo 0, the primary, ends the cluster (use --postgres for no primary)"
  where=""
  also=""
fi
if [[ "$cluster_id" != prunercluster ]]; then conn="$conn --cluster-id $cluster_id"; fi
next=$silos
mapfile -t add_args < <(silo_args "$next")

cat <<EOF

local-cluster: $silos silo(s) up, cluster '$cluster_id', $slots slot(s) per device, device $device_kind, $threads libtorch thread(s) per evaluation.
Gateway ports: $gateways$where

From another terminal in $repo:
  $cli submit src/PrunerCluster.Cli/examples/fashion-mnist-vgg.json $conn --wait
  $cli list $conn
  $cli status <experiment-id> $conn
  $cli pareto <experiment-id> $conn            (add --json or --csv)
  $cli cancel|pause|resume <experiment-id> $conn

Kill a silo: kill -9 <pid> (pids above): $survives.
Add a silo (next free index $next); to restart silo i instead, use its ports (silo $silo_port+i, gateway $gateway_port+i)
and silo-i in both file names:
  (cd $bin_dir && ${env_prefix}exec dotnet prunercluster-silo.dll ${add_args[*]} ${extra[*]}) >$logs/silo-$next.log 2>&1 & echo \$! >$logs/silo-$next.pid
  (this script watches $logs/silo-<i>.pid: a silo started so is reported and stopped by Ctrl+C like the others)

Ctrl+C stops every silo started here$also.
EOF

# Silos restarted or added by hand write their pid to $logs/silo-<i>.pid: a live pid there that is not the one known for
# silo i is taken over (reported, watched and stopped with the others).
adopt_restarted() {
  local file i pid
  for file in "$logs"/silo-*.pid; do
    [[ -f "$file" ]] || continue
    i="${file##*/silo-}"; i="${i%.pid}"
    [[ "$i" =~ ^[0-9]+$ ]] || continue
    pid="$(tr -dc '0-9' <"$file")"
    [[ -n "$pid" && "$pid" != "${pids[$i]:-}" ]] || continue
    kill -0 "$pid" 2>/dev/null || continue
    pids[$i]="$pid"
    unset "reported[$i]"
    echo "local-cluster: silo $i is running again (pid $pid, started by hand); Ctrl+C stops it too"
  done
}

# Wait until Ctrl+C. A silo that exits is reported once; the others keep running.
declare -A reported=()
while true; do
  adopt_restarted
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null && [[ -z "${reported[$i]:-}" ]]; then
      reported[$i]=1
      echo "local-cluster: silo $i (pid ${pids[$i]}) exited; the others keep running. Log: $logs/silo-$i.log" >&2
      tail -n 5 "$logs/silo-$i.log" >&2 || true
    fi
  done
  sleep 1
done
