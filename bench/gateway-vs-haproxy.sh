#!/usr/bin/env bash
# gateway-vs-haproxy.sh [SECONDS]: the east-west gateway's SNI passthrough against HAProxy doing the same job
# (mode tcp, routing on req.ssl_sni after tcp-request inspect-delay / req.ssl_hello_type), in one run, on loopback:
#   - throughput: MB/s a TLS backend streams through a few long TLS connections (4 by default);
#   - handshakes: new TCP connections with a full TLS 1.3 handshake (ECDSA P-256, no resumption) through the proxy
#     per second, from 8 concurrent clients.
# A direct connection to the backend is measured too, as the ceiling. The backend and the clients are
# bench/gateway-vs-haproxy.cs (a .NET file-based app); the gateway is `meshproxy gateway` (Release); HAProxy comes
# from Debian (installed with apt-get when missing). Each measurement lasts SECONDS (default 5) after a 1 s warm-up;
# a round takes about 40 s after the build. Everything it starts is stopped when it exits.
# Each proxy runs in a session of its own (setsid), as it would in a container: the kernel then schedules it as a
# group apart from the clients and the backend (autogroup), so a proxy that burns CPU spinning cannot hand it back to
# them by yielding. The CPU each proxy spent per handshake is printed next to the rate.
#
# Before the rounds each proxy carries WARMUP seconds (default 10) of handshakes and of throughput: .NET's JIT keeps
# recompiling the gateway's hot paths (tiered compilation) for roughly the first ten seconds of load, and a gateway
# runs for days; HAProxy needs no warm-up but gets the same.
#
# Environment: CONNECTIONS (default 4), CONCURRENCY (default 8), ROUNDS (default 1; the machine's other load makes
# single numbers noisy, so compare rounds), WARMUP (default 10).
set -euo pipefail

seconds=${1:-5}
connections=${CONNECTIONS:-4}
concurrency=${CONCURRENCY:-8}
rounds=${ROUNDS:-1}
warmup=${WARMUP:-10}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
sni=outbound_.8080_._.reviews.default.svc.cluster.local

if ! command -v haproxy >/dev/null; then
  echo "Installing haproxy from Debian..."
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi

work=$(mktemp -d /tmp/gateway-vs-haproxy.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building meshproxy and the load tool (Release)..."
dotnet build "$repo/src/MeshProxy" -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build "$here/gateway-vs-haproxy.cs" -c Release -o "$work/tool" -nologo -clp:ErrorsOnly >/dev/null
# Run the built tool directly (not through `dotnet run`), so that a background one's PID is the tool itself.
tool() { dotnet "$work/tool/gateway-vs-haproxy.dll" "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for_line FILE TEXT: up to 60 s.
wait_for_line() {
  for _ in $(seq 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no '$2' in $1:" >&2
  cat "$1" >&2
  exit 1
}

dotnet "$work/tool/gateway-vs-haproxy.dll" serve >"$work/backend.log" 2>&1 &
pids+=($!)
wait_for_line "$work/backend.log" '^listening'
backend=127.0.0.1:$(awk '/^listening/ {print $2}' "$work/backend.log")

gateway=127.0.0.1:$(free_port)
cat >"$work/gateway.yaml" <<YAML
admin:
  address: 127.0.0.1:0
  readinessAddress:
  metricsAddress:
listeners:
  - name: eastwest
    address: $gateway
    protocol: tls
    autoPassthrough: { hosts: ["*.local"] }
clusters:
  - name: reviews
    service: reviews.default.svc.cluster.local
    servicePort: 8080
    endpoints: [ { address: $backend } ]
YAML
setsid dotnet "$repo/src/MeshProxy/bin/Release/net10.0/meshproxy.dll" gateway --config "$work/gateway.yaml" --log-level Warning >"$work/gateway.log" 2>&1 &
pids+=($!)
gateway_pid=$!

haproxy_address=127.0.0.1:$(free_port)
cat >"$work/haproxy.cfg" <<CFG
global
  log stderr format short local0 err
defaults
  mode tcp
  timeout connect 5s
  timeout client 1m
  timeout server 1m
frontend eastwest
  bind $haproxy_address
  tcp-request inspect-delay 5s
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend reviews if { req.ssl_sni -i $sni }
backend reviews
  server reviews $backend
CFG
setsid haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
haproxy_pid=$!

# Ready when a full handshake goes through each.
for target in "$gateway" "$haproxy_address"; do
  for attempt in $(seq 60); do
    tool handshakes "$target" "$sni" 1 1 2>/dev/null | grep -q 'errors=0' && break
    [[ $attempt -lt 60 ]] || { echo "$target never carried a handshake" >&2; cat "$work"/*.log >&2; exit 1; }
    sleep 0.5
  done
done

measure() { tool "$@" | awk '/^RESULT/ {print $2, $3, $4}'; }
if ((warmup > 0)); then
  echo "Warming up each proxy for 2 × $warmup s..."
  for target in "$gateway" "$haproxy_address"; do
    tool handshakes "$target" "$sni" "$concurrency" "$warmup" >/dev/null
    tool throughput "$target" "$sni" "$connections" "$warmup" >/dev/null
  done
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)
printf '\n%s, %s cores, load average %s, %s; %s s per measurement\n' "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(haproxy -v | head -1 | cut -d' ' -f1-3)" "$seconds"
printf '%-17s  %-32s  %-32s  %s\n' "" "throughput ($connections connections)" "handshakes/s ($concurrency concurrent)" "proxy CPU"
for round in $(seq "$rounds"); do
  for name in direct gateway haproxy; do
    case $name in
      direct) target=$backend; pid= ;;
      gateway) target=$gateway; pid=$gateway_pid ;;
      haproxy) target=$haproxy_address; pid=$haproxy_pid ;;
    esac
    throughput=$(measure throughput "$target" "$sni" "$connections" "$seconds")
    [[ -z $pid ]] || before=$(cpu_ticks "$pid")
    handshakes=$(measure handshakes "$target" "$sni" "$concurrency" "$seconds")
    cpu=""
    if [[ -n $pid ]]; then
      # The proxy's CPU over the warm-up second and the measurement, per handshake at the measured rate.
      rate=$(awk '{print $1}' <<<"$handshakes")
      cpu=$(awk -v t="$(( $(cpu_ticks "$pid") - before ))" -v hz="$ticks_per_second" -v r="$rate" -v s="$seconds" \
        'BEGIN { printf "%.0f µs CPU/handshake", t / hz * 1e6 / (r * (s + 1)) }')
    fi
    printf '%-17s  %-32s  %-32s  %s\n' "round $round $name" "$throughput" "$handshakes" "$cpu"
  done
done
