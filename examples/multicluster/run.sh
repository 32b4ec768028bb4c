#!/usr/bin/env bash
# Two "clusters" on one machine, each a network namespace with its own workloads and its own east-west gateway,
# joined by one link on which only the gateways listen. A shared root CA with one intermediate per cluster gives
# every workload a SPIFFE identity; calls cross from one cluster to the other through the remote cluster's gateway
# with TLS end to end: the gateway routes by the ClientHello's server name and never decrypts.
#
#   cluster 1 (10.100.0.1)                          cluster 2 (10.100.0.2)
#   productpage ──mTLS──► ─────────────────────────► gateway :15443 ──► reviews-v2a 127.0.0.1:9082
#                                                                    └─► reviews-v2b 127.0.0.1:9083
#   reviews-v1 127.0.0.1:9081 ◄── gateway :15443 ◄─────────────────── ratings
#
# Usage: sudo examples/multicluster/run.sh     (needs root, ip, openssl, python3, curl, dotnet; about 20 s)
# Everything it creates (namespaces, processes, files) is removed when it exits.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ $(id -u) -ne 0 ]]; then
  echo "run.sh creates network namespaces: run it as root" >&2
  exit 1
fi
for tool in ip openssl python3 curl dotnet timeout; do
  command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 1; }
done

echo "Building meshproxy (Release)..."
dotnet build "$repo/src/MeshProxy" -c Release -nologo -clp:ErrorsOnly >/dev/null
dll=$repo/src/MeshProxy/bin/Release/net10.0/meshproxy.dll
meshproxy() { dotnet "$dll" "$@"; }

work=$(mktemp -d /tmp/meshproxy-multicluster.XXXXXX)
c1=mc1-$$
c2=mc2-$$
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  ip netns delete "$c1" 2>/dev/null || true
  ip netns delete "$c2" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# start NAMESPACE COMMAND...: runs in the background, logging to $work/NAMESPACE.log.
start() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@" >>"$work/$ns.log" 2>&1 &
  pids+=($!)
}

# wait_for DESCRIPTION COMMAND...: retries for up to 60 s.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "gave up waiting for $what; logs:" >&2
  cat "$work"/*.log >&2
  exit 1
}

# call NAMESPACE GATEWAY SERVER_NAME CLIENT_SVID_DIR [ALPN]: an mTLS request as a sidecar would make it, through a
# gateway. Prints what the workload answered and the identity the caller verified on the other end.
call() {
  local ns=$1 gateway=$2 sni=$3 svid=$4 alpn=${5:-istio,http/1.1}
  local out server verify answer
  out=$(ip netns exec "$ns" timeout 10 openssl s_client -connect "$gateway" -servername "$sni" -alpn "$alpn" \
    -CAfile "$work/root/root.pem" -verify_return_error \
    -cert "$svid/svid.pem" -cert_chain "$svid/svid.pem" -key "$svid/svid-key.pem" -ign_eof \
    <<<$'GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n' 2>&1) || true
  answer=$(grep -m1 '^hello from' <<<"$out" || true)
  if [[ -z $answer ]]; then
    printf '  %-52s -> refused (the connection was closed before a TLS session began)\n' "$sni"
    return
  fi
  server=$(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' <<<"$out" | openssl x509 -noout -ext subjectAltName 2>/dev/null | grep -o 'URI:[^, ]*' || echo '?')
  verify=$(grep -m1 -o 'Verify return code: .*' <<<"$out")
  printf '  %s\n     the caller verified %s against the shared root (%s)\n' "$answer" "$server" "$verify"
}

step "1. One root CA for trust domain cluster.local, one intermediate per cluster (meshproxy ca)"
meshproxy ca init --out "$work/root" --trust-domain cluster.local
meshproxy ca intermediate --root "$work/root" --out "$work/cluster1" --name cluster1
meshproxy ca intermediate --root "$work/root" --out "$work/cluster2" --name cluster2
issue() { meshproxy ca issue --ca "$work/$1" --spiffe-id "spiffe://cluster.local/ns/default/sa/$2" --out "$work/$1-$2"; }
issue cluster1 reviews
issue cluster1 productpage
issue cluster2 reviews
issue cluster2 ratings

step "2. Two clusters: namespaces $c1 (10.100.0.1) and $c2 (10.100.0.2), one link between them"
ip netns add "$c1"
ip netns add "$c2"
ip link add name eth0 netns "$c1" type veth peer name eth0 netns "$c2"
ip -n "$c1" addr add 10.100.0.1/24 dev eth0
ip -n "$c2" addr add 10.100.0.2/24 dev eth0
for ns in "$c1" "$c2"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
done

step "3. Workloads: HTTPS with SPIFFE mTLS on each cluster's loopback, unreachable from the other cluster"
service() {
  local ns=$1 cluster=$2 name=$3 port=$4
  start "$ns" python3 "$here/tls_service.py" --name "$name" --cluster "$cluster" --listen "127.0.0.1:$port" \
    --cert "$work/$cluster-reviews/svid.pem" --key "$work/$cluster-reviews/svid-key.pem" --ca "$work/root/root.pem"
  echo "  $name in $cluster on 127.0.0.1:$port as spiffe://cluster.local/ns/default/sa/reviews"
}
service "$c1" cluster1 reviews-v1 9081
service "$c2" cluster2 reviews-v2a 9082
service "$c2" cluster2 reviews-v2b 9083

step "4. An east-west gateway per cluster on :15443 (meshproxy gateway --config gateway-clusterN.yaml)"
start "$c1" dotnet "$dll" gateway --config "$here/gateway-cluster1.yaml"
start "$c2" dotnet "$dll" gateway --config "$here/gateway-cluster2.yaml"
wait_for "gateway 1" ip netns exec "$c2" curl -sf --max-time 1 http://10.100.0.1:15021/healthz/ready
wait_for "gateway 2" ip netns exec "$c1" curl -sf --max-time 1 http://10.100.0.2:15021/healthz/ready
for port in 9082 9083; do wait_for "reviews on $port" ip netns exec "$c2" timeout 1 bash -c "</dev/tcp/127.0.0.1/$port"; done
wait_for "reviews on 9081" ip netns exec "$c1" timeout 1 bash -c "</dev/tcp/127.0.0.1/9081"
echo "  both gateways ready (GET :15021/healthz/ready from the other cluster)"

reviews=outbound_.8080_._.reviews.default.svc.cluster.local
step "5. productpage (cluster 1) calls reviews in cluster 2 through gateway 2, four times (round robin over two instances)"
for _ in 1 2 3 4; do call "$c1" 10.100.0.2:15443 "$reviews" "$work/cluster1-productpage"; done

step "6. The v2 subset, by name: outbound_.8080_.v2_.reviews..."
call "$c1" 10.100.0.2:15443 outbound_.8080_.v2_.reviews.default.svc.cluster.local "$work/cluster1-productpage"

step "7. The other way: ratings (cluster 2) calls reviews in cluster 1 through gateway 1"
call "$c2" 10.100.0.1:15443 "$reviews" "$work/cluster2-ratings"

step "8. What gateway 2 refuses"
call "$c1" 10.100.0.2:15443 outbound_.9080_._.details.default.svc.cluster.local "$work/cluster1-productpage"
echo "  (a service it does not expose: no route, counted as no_filter_chain_match, access log flag NR)"
call "$c1" 10.100.0.2:15443 "$reviews" "$work/cluster1-productpage" h2,http/1.1
echo "  (the right name without Istio's mTLS ALPN values: not a mesh sidecar, so no route either)"
if ip netns exec "$c1" timeout 2 bash -c '</dev/tcp/10.100.0.2/9082' 2>/dev/null; then
  echo "  UNEXPECTED: cluster 1 reached a cluster 2 workload directly"
else
  echo "  cluster 1 cannot reach 10.100.0.2:9082 directly: the workloads listen on cluster 2's loopback only"
fi

step "9. Gateway 2's counters (admin /stats, inside cluster 2)"
ip netns exec "$c2" curl -s http://127.0.0.1:15000/stats | grep -E 'sni_route|no_filter_chain_match|tls_inspector|cluster\.outbound.*upstream_cx_total' | sed 's/^/  /'
echo "  Istio metrics on :15090 (scraped from cluster 1):"
ip netns exec "$c1" curl -s http://10.100.0.2:15090/stats/prometheus | grep -E '^istio_tcp_connections_opened_total' \
  | sed -E 's/.*destination_workload="([^"]*)".*destination_service="([^"]*)".*response_flags="([^"]*)".*\} (.*)/  istio_tcp_connections_opened_total destination_service=\2 destination_workload=\1 response_flags=\3: \4/'

step "Done. The namespaces, processes and files are removed now."
