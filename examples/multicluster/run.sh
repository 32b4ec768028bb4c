#!/usr/bin/env bash
# Two "clusters" on one machine, each a network namespace with its own workloads and its own east-west gateway,
# joined by one link on which only the gateways listen. A shared root CA with one intermediate per cluster gives
# every workload a SPIFFE identity. Each reviews instance is an app behind its meshproxy sidecar (STRICT mTLS); calls
# cross from one cluster to the other through the remote cluster's gateway with TLS end to end: the gateway routes by
# the ClientHello's server name and never decrypts. First by hand (openssl doing a sidecar's handshake), then with
# productpage's own sidecar: locality-first routing, a 25/75 split across the clusters, failover and return.
#
#   cluster 1 (10.100.0.1)                               cluster 2 (10.100.0.2)
#   productpage ─► sidecar :15001 ══mTLS══════════════════► gateway :15443 ──► sidecar :9082 ─► reviews-v2a :8082
#                     ║                                                    └─► sidecar :9083 ─► reviews-v2b :8083
#                     ╚══mTLS══► sidecar :9081 ─► reviews-v1 :8081
#   reviews-v1's sidecar :9081 ◄── gateway :15443 ◄══════════════════════════ ratings (openssl)
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
declare -A pid_of

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

# start NAME NAMESPACE DIRECTORY COMMAND...: runs COMMAND in NAMESPACE from DIRECTORY in the background, logging to
# $work/NAME.log; ${pid_of[NAME]} is its pid.
start() {
  local name=$1 ns=$2 dir=$3
  shift 3
  (cd "$dir" && exec ip netns exec "$ns" "$@") >>"$work/$name.log" 2>&1 &
  pids+=($!)
  pid_of[$name]=$!
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
  tail -n 50 "$work"/*.log >&2
  exit 1
}

# listening NAMESPACE PORT: whether something accepts connections on 127.0.0.1:PORT in NAMESPACE.
listening() { ip netns exec "$1" timeout 1 bash -c "</dev/tcp/127.0.0.1/$2"; }

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

step "3. Workloads: each reviews instance is an app (plain HTTP) behind its sidecar (meshproxy run, STRICT mTLS)"
# instance NAMESPACE CLUSTER NAME APP_PORT SIDECAR_PORT ADMIN_PORT: the app on the cluster's loopback, and its sidecar on
# the instance's port with the instance's SVID (the sidecar's working directory, as a pod's mounted secret).
instance() {
  local ns=$1 cluster=$2 name=$3 app_port=$4 port=$5 admin=$6
  start "app-$name" "$ns" "$here" python3 "$here/app.py" --name "$name" --cluster "$cluster" --listen "127.0.0.1:$app_port"
  start "sidecar-$name" "$ns" "$work/$cluster-reviews" dotnet "$dll" run --config "$here/sidecar-$name.yaml"
  echo "  $name in $cluster: app on 127.0.0.1:$app_port, its sidecar on 127.0.0.1:$port as spiffe://cluster.local/ns/default/sa/reviews"
}
instance "$c1" cluster1 reviews-v1 8081 9081 15101
instance "$c2" cluster2 reviews-v2a 8082 9082 15101
instance "$c2" cluster2 reviews-v2b 8083 9083 15102

step "4. An east-west gateway per cluster on :15443 (meshproxy gateway --config gateway-clusterN.yaml)"
start gateway-cluster1 "$c1" "$here" dotnet "$dll" gateway --config "$here/gateway-cluster1.yaml"
start gateway-cluster2 "$c2" "$here" dotnet "$dll" gateway --config "$here/gateway-cluster2.yaml"
wait_for "gateway 1" ip netns exec "$c2" curl -sf --max-time 1 http://10.100.0.1:15021/healthz/ready
wait_for "gateway 2" ip netns exec "$c1" curl -sf --max-time 1 http://10.100.0.2:15021/healthz/ready
echo "  both gateways ready (GET :15021/healthz/ready from the other cluster)"
wait_for "reviews-v1's sidecar" ip netns exec "$c1" curl -sf --max-time 1 http://127.0.0.1:15101/ready
wait_for "reviews-v2a's sidecar" ip netns exec "$c2" curl -sf --max-time 1 http://127.0.0.1:15101/ready
wait_for "reviews-v2b's sidecar" ip netns exec "$c2" curl -sf --max-time 1 http://127.0.0.1:15102/ready
for port in 8082 8083; do wait_for "reviews app on $port" listening "$c2" "$port"; done
wait_for "reviews app on 8081" listening "$c1" 8081
echo "  the three sidecars have their SVIDs and are ready (admin /ready); the apps listen"

reviews=outbound_.8080_._.reviews.default.svc.cluster.local
step "5. By hand: productpage (cluster 1) calls reviews in cluster 2 through gateway 2, four times (round robin over two instances)"
echo "  (openssl makes the handshake an Istio sidecar makes; the server is the instance's sidecar, which passes the"
echo "  caller's verified SPIFFE ID to its app in x-forwarded-client-cert)"
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

step "9. productpage's own sidecar originates the mTLS (meshproxy run --config sidecar-productpage.yaml)"
start sidecar-productpage "$c1" "$work/cluster1-productpage" dotnet "$dll" run --config "$here/sidecar-productpage.yaml"
wait_for "productpage's sidecar" ip netns exec "$c1" curl -sf --max-time 1 http://127.0.0.1:15100/ready
echo "  productpage sends plain HTTP for reviews to 127.0.0.1:15001; its sidecar's cluster for reviews lists reviews-v1"
echo "  (127.0.0.1:9081) and, for cluster 2's two instances, gateway 2 (10.100.0.2:15443, weight 2, region2). No SNI is"
echo "  configured: with tls and servicePort the sidecar sends outbound_.8080_.<subset>_.reviews.default.svc.cluster.local"

# ask PATH: one request from productpage for reviews through its sidecar; prints the answer, or the status and reply.
ask() {
  local out code
  out=$(ip netns exec "$c1" curl -s --max-time 5 -H 'Host: reviews.default.svc.cluster.local' -w '\n%{http_code}' \
    "http://127.0.0.1:15001$1") || true
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $code == 200 ]]; then echo "${out%%$'\n'*}"; else echo "$code ${out:0:100}"; fi
}

# tally PATH COUNT: COUNT requests over one connection; how many each instance answered.
tally() {
  ip netns exec "$c1" curl -s --max-time 60 -H 'Host: reviews.default.svc.cluster.local' -w '\n' "http://127.0.0.1:15001$1/[1-$2]" \
    | grep -v '^$' | sed -E 's/^(hello from [^:]*):.*/\1/' | sort | uniq -c \
    | awk -v total="$2" '{ count = $1; $1 = ""; printf "  %4d of %d (%5.1f%%) %s\n", count, total, 100 * count / total, $0 }'
}

# follow UNTIL IN_A_ROW TRIES PAUSE: asks for reviews every PAUSE seconds and prints each answer with the time since the
# first, until IN_A_ROW answers in a row contain UNTIL, or TRIES requests.
follow() {
  local until=$1 in_a_row=$2 tries=$3 pause=$4 since=$EPOCHREALTIME seen=0 answer
  for _ in $(seq "$tries"); do
    answer=$(ask /)
    printf '  %5.1fs  %s\n' "$(awk -v now="$EPOCHREALTIME" -v since="$since" 'BEGIN { print now - since }')" "$answer"
    if [[ $answer == *"$until"* ]]; then seen=$((seen + 1)); else seen=0; fi
    ((seen < in_a_row)) || return 0
    sleep "$pause"
  done
}

step "10. Locality first: reviews from productpage stays in cluster 1 while reviews-v1 is healthy (20 requests)"
echo "  $(ask /)"
tally /reviews 20

step "11. A canary in the other cluster: /split sends 25% to v1 (cluster 1) and 75% to v2 (cluster 2, through gateway 2)"
tally /split 400
echo "  (each request picks an arm at random: 100 and 300 expected. The v2 arm's SNI is outbound_.8080_.v2_.reviews...;"
echo "  its requests share one pooled mTLS connection, and gateway 2 balances connections, not requests: one instance)"

step "12. Failover: reviews-v1's app stops; its sidecar answers 503 until outlier detection ejects it (3 in a row)"
kill "${pid_of[app-reviews-v1]}"
wait_for "reviews-v1's app to stop" bash -c "! ip netns exec $c1 timeout 1 bash -c '</dev/tcp/127.0.0.1/8081' 2>/dev/null"
follow "in cluster2" 6 60 0.2
ip netns exec "$c1" curl -s http://127.0.0.1:15100/clusters | grep -F '::127.0.0.1:9081::health_flags' | grep -F '||' | sed 's/^/  /'
ip netns exec "$c1" curl -s http://127.0.0.1:15100/stats | grep -F '||reviews' | grep -E 'ejections_(active|enforced_total)' | sed 's/^/  /'

step "13. Recovery: reviews-v1's app starts again; traffic returns to cluster 1 when the ejection ends (5 s, on a 1 s sweep)"
start app-reviews-v1 "$c1" "$here" python3 "$here/app.py" --name reviews-v1 --cluster cluster1 --listen 127.0.0.1:8081
wait_for "reviews-v1's app" listening "$c1" 8081
follow "in cluster1" 3 40 0.5

step "14. productpage's sidecar: mTLS handshakes per cluster (admin /stats)"
ip netns exec "$c1" curl -s http://127.0.0.1:15100/stats | grep -E '^cluster\.outbound.*\.ssl\.handshake' | sed 's/^/  /'

step "15. Gateway 2's counters (admin /stats, inside cluster 2): the SNI routes the sidecar's names took"
ip netns exec "$c2" curl -s http://127.0.0.1:15000/stats | grep -E 'sni_route|no_filter_chain_match|tls_inspector|cluster\.outbound.*upstream_cx_total' | sed 's/^/  /'
echo "  Istio metrics on :15090 (scraped from cluster 1):"
ip netns exec "$c1" curl -s http://10.100.0.2:15090/stats/prometheus | grep -E '^istio_tcp_connections_opened_total' \
  | sed -E 's/.*destination_workload="([^"]*)".*destination_service="([^"]*)".*response_flags="([^"]*)".*\} (.*)/  istio_tcp_connections_opened_total destination_service=\2 destination_workload=\1 response_flags=\3: \4/'

step "Done. The namespaces, processes and files are removed now."
