#!/usr/bin/env bash
# Runs the test suite N times in a row from a fresh clone of this checkout's HEAD, with two busy-loop processes
# hogging the CPU, and stops at the first failing run, naming the tests that failed.
#   build/stress-tests.sh N                                   the whole suite (`dotnet test`), N times
#   build/stress-tests.sh N tests/<Project> [--filter EXPR]    one project (any further `dotnet test` arguments)
# Logs of every run stay in the printed directory. Run .ci/run once first so the system packages the tests use exist.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:?usage: build/stress-tests.sh N [dotnet test arguments...]}"
shift
case "$runs" in '' | *[!0-9]*) echo "N must be a number of runs, got '$runs'" >&2; exit 2 ;; esac

work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-stress.XXXXXX")"
commit="$(git -C "$root" rev-parse HEAD)"
hogs=()

stop_hogs() {
  # Only the processes this script started, by PID.
  for pid in "${hogs[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  hogs=()
}
trap stop_hogs EXIT INT TERM

echo "Cloning $commit into $work/clone"
git clone --quiet "$root" "$work/clone"
git -C "$work/clone" checkout --quiet --detach "$commit"
if [ -n "$(git -C "$root" status --porcelain)" ]; then
  echo "Note: uncommitted changes in $root are not part of the run (a fresh clone tests HEAD only)."
fi

for _ in 1 2; do
  bash -c 'while :; do :; done' &
  hogs+=("$!")
done
echo "CPU hogs running: pids ${hogs[*]} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"

for run in $(seq 1 "$runs"); do
  log="$work/run-$run.log"
  echo "Run $run of $runs: dotnet test $* (log: $log)"
  started=$SECONDS
  set +e
  (cd "$work/clone" && dotnet test "$@" --logger "console;verbosity=normal") >"$log" 2>&1
  status=$?
  set -e
  echo "Run $run finished with exit code $status after $((SECONDS - started)) s"
  if [ "$status" -eq 0 ] && [ "$#" -eq 0 ]; then
    # A whole-suite run passes only when every test project said so (its summary line, in either verbosity):
    # a run cut short can still exit 0.
    expected=$(find "$work/clone/tests" -mindepth 2 -maxdepth 2 -name '*.csproj' ! -name 'Switchboard.Testing.csproj' | wc -l)
    passed=$(grep -cE '^\s*(Passed!|Test Run Successful\.)' "$log" || true)
    if [ "$passed" -ne "$expected" ]; then
      echo "Run $run: only $passed of $expected test projects reported success"
      status=1
    fi
  fi
  if [ "$status" -ne 0 ]; then
    echo "Run $run FAILED. Failing tests:"
    grep -E '^\s*Failed [A-Za-z_]' "$log" | sed 's/^\s*/  /' | sort -u || echo "  (no test reported failed: see the log, e.g. a build error or a crashed test host)"
    grep -E 'error [A-Z]+[0-9]+:|The active test run was aborted|Test host process crashed' "$log" | sort -u | head -20 || true
    echo "Logs: $work"
    exit 1
  fi
done

echo "All $runs runs passed. Logs: $work"
