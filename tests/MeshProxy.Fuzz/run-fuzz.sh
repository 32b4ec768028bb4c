#!/usr/bin/env bash
# Runs a short, bounded AFL++ fuzz of the TLS ClientHello parser, for CI and by hand.
#   tests/MeshProxy.Fuzz/run-fuzz.sh [SECONDS]     (default 60)
# Installs what it needs (Debian's afl++, the sharpfuzz dotnet tool) if missing, builds the target into a fresh
# folder, instruments MeshProxy.Core's MeshProxy.Tls namespace, seeds AFL++ with the captured ClientHellos, and fuzzes
# for SECONDS (AFL++'s -V) under a hard timeout. Exits 1 when AFL++ found a crash or a hang, or never ran the target.
# Findings stay in $FUZZ_WORK (default: a temporary folder, printed); replay one, uninstrumented, with
#   dotnet run -c Release --project tests/MeshProxy.Fuzz -- FILE...
set -euo pipefail

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${FUZZ_WORK:-$(mktemp -d /tmp/meshproxy-fuzz.XXXXXX)}"
mkdir -p "$work"
echo "fuzz: ${seconds}s, working in $work"

# afl++ (Debian 12 ships 4.04c).
if ! command -v afl-fuzz > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq afl++ > /dev/null
fi

# The sharpfuzz instrumenter, at the version pinned in Directory.Packages.props.
version="$(sed -n 's/.*PackageVersion Include="SharpFuzz.CommandLine" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"
[[ -n "$version" ]] || { echo "fuzz: no SharpFuzz.CommandLine version in Directory.Packages.props" >&2; exit 2; }
tools="$HOME/.dotnet/tools"
if ! dotnet tool list --global | grep -qiE "^sharpfuzz\.commandline +$version( |$)"; then
  dotnet tool update --global SharpFuzz.CommandLine --version "$version" > /dev/null
fi

# Seeds: every captured hello.
rm -rf "$work/bin" "$work/corpus" "$work/findings"
mkdir -p "$work/corpus"
cp "$root"/tests/MeshProxy.Core.Tests/Tls/testdata/*.bin "$work/corpus/"

# A fresh build, so that MeshProxy.Core.dll is never instrumented twice or stale. The target replays the seeds before
# instrumenting: instrumented code only runs under Fuzzer.Run, which sets up AFL++'s coverage map.
dotnet publish "$here/MeshProxy.Fuzz.csproj" -c Release -o "$work/bin" -nologo -v quiet > "$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
dotnet "$work/bin/MeshProxy.Fuzz.dll" "$work"/corpus/*.bin > /dev/null
"$tools/sharpfuzz" "$work/bin/MeshProxy.Core.dll" MeshProxy.Tls

# The target is a managed program, not an AFL-instrumented binary; SharpFuzz speaks the fork-server protocol itself.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_AUTORESUME=0 AFL_FAST_CAL=1
set +e
timeout --kill-after=30 "$((seconds + 120))" \
  afl-fuzz -i "$work/corpus" -o "$work/findings" -V "$seconds" -t 5000 -m none -- dotnet "$work/bin/MeshProxy.Fuzz.dll" \
  > "$work/afl.log" 2>&1
status=$?
set -e

stats="$work/findings/default/fuzzer_stats"
if [[ ! -f "$stats" ]]; then
  tail -n 40 "$work/afl.log" >&2
  echo "fuzz: AFL++ did not start (exit $status)" >&2
  exit 1
fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|stability|bitmap_cvg) ' "$stats" | sed 's/^/fuzz: /'
execs="$(sed -n 's/^execs_done *: *//p' "$stats")"
crashes=$(find "$work/findings/default/crashes" -type f ! -name README.txt 2> /dev/null | wc -l)
hangs=$(find "$work/findings/default/hangs" -type f 2> /dev/null | wc -l)
if (( crashes > 0 || hangs > 0 )); then
  echo "fuzz: $crashes crash(es), $hangs hang(s):" >&2
  find "$work/findings/default/crashes" "$work/findings/default/hangs" -type f ! -name README.txt >&2
  echo "fuzz: replay with: dotnet run -c Release --project tests/MeshProxy.Fuzz -- FILE" >&2
  exit 1
fi
if (( status != 0 || ${execs:-0} == 0 )); then
  tail -n 40 "$work/afl.log" >&2
  echo "fuzz: AFL++ exited $status after ${execs:-0} executions" >&2
  exit 1
fi
echo "fuzz: no crashes or hangs in ${execs} executions"
