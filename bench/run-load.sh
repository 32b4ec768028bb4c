#!/usr/bin/env bash
# The end-to-end load run in one command: meshproxy vs a direct connection, nginx, HAProxy and a bare YARP app,
# all on 127.0.0.1, driven by wrk, h2load and a bulk client. See bench/README.md.
#   bench/run-load.sh            the full run: 3 rounds, about 9 minutes each
#   bench/run-load.sh --quick    a smoke test of the harness (about 2 minutes)
# Any other argument goes to the orchestrator (e.g. --rounds 3, --pin split, --contenders direct,meshproxy,
# --scenarios keepalive, --variant svrgc:DOTNET_gcServer=1).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# Tools from Debian, installed only when missing.
packages=(nginx-light libnginx-mod-stream haproxy wrk nghttp2-client procps util-linux)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Build meshproxy (Release, published as the Dockerfile does) and the orchestrator.
out="$repo/artifacts/bench"
echo "Publishing meshproxy (Release) to $out/meshproxy"
dotnet publish src/MeshProxy/MeshProxy.csproj -c Release -o "$out/meshproxy" -nologo -clp:ErrorsOnly -v quiet
echo "Building the load-run orchestrator"
dotnet build bench/MeshProxy.LoadRuns/MeshProxy.LoadRuns.csproj -c Release -o "$out/loadruns" -nologo -clp:ErrorsOnly -v quiet

# The orchestrator starts and kills every process itself; as a second line of defence it runs in its own process
# group, which is killed when this script exits for any reason. A bound on the whole run: 80 minutes.
setsid timeout --kill-after=30 4800 dotnet "$out/loadruns/meshproxy-loadruns.dll" run --meshproxy "$out/meshproxy/meshproxy.dll" "$@" &
orchestrator=$!
cleanup() { kill -TERM -- "-$orchestrator" 2>/dev/null || true; sleep 1; kill -KILL -- "-$orchestrator" 2>/dev/null || true; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
status=0
wait "$orchestrator" || status=$?
trap - EXIT
cleanup
exit "$status"
