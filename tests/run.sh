#!/usr/bin/env bash
# Installs everything the tests need (Debian packages) and runs every test in Proxy.sln.
# This is the README's test command and what CI runs. Test results (TRX) go to TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(curl openssl nghttp2-client iptables iproute2 util-linux procps python3 python3-prometheus-client)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing test prerequisites: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

rm -rf TestResults
dotnet build Proxy.sln -c Release -nologo -clp:ErrorsOnly
dotnet test Proxy.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory TestResults \
  --logger "console;verbosity=minimal" "$@"
