#!/usr/bin/env bash
# What serving the HTTP API costs the hashing: `load` hashes on one PU
# while a client on another PU asks its API RATE times a second, against
# the same run length with no requests, in pairs one after the other
# (alternating which goes first). Prints each pair's H/s and the
# hammered/quiet ratio, then the median ratio with its range.
#
#   bash scripts/http-api-bench.sh [PAIRS [SECONDS [RATE [ALGO]]]]
#
# PAIRS: default 5. SECONDS: the measured window, default 10. RATE:
# requests a second, default 1000. ALGO: default rx/0 (light mode). The
# worker is pinned to the last PU and the client to the first; the
# server's thread is not pinned, as in a real run. Never run it beside
# another benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5} seconds=${2:-10} rate=${3:-1000} algo=${4:-rx/0:light}
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    sed -n '2,/^set /p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
fi
[ -x ./minemeter ] || { echo "http-api-bench: build ./minemeter first" >&2; exit 2; }
last_pu=$(($(nproc) - 1))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run: load on the last PU, the client at $1 requests a second on PU 0.
run() {
    local want=$1 log="$out/load.log"
    ./minemeter load --duration $((seconds + 30)) --algo "$algo" --threads 1 \
        --affinity "$last_pu" --http 127.0.0.1:0 --print-time 3600 >"$log" 2>&1 &
    local pid=$! port=""
    for _ in $(seq 300); do
        port=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/.*://') || true
        [ -n "$port" ] && grep -q 'minemeter load: .* thread(s)' "$log" && break
        sleep 0.1
    done
    sleep 3 # past the first seconds, the cache built and the workers running
    taskset -c 0 python3 bench/http/api_hammer.py "$port" "$want" "$seconds"
    kill -INT "$pid"
    wait "$pid" || true
}

ratios=()
for i in $(seq "$pairs"); do
    if [ $((i % 2)) -eq 1 ]; then
        quiet=$(run 0)
        loud=$(run "$rate")
    else
        loud=$(run "$rate")
        quiet=$(run 0)
    fi
    q=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["hashes_per_s"])' "$quiet")
    l=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["hashes_per_s"])' "$loud")
    ratio=$(python3 -c "print(f'{$l / $q:.4f}')")
    ratios+=("$ratio")
    echo "pair $i: quiet $q H/s, hammered $l H/s, ratio $ratio; client: $loud"
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(float(x) for x in sys.argv[1:])
print(f"median hammered/quiet {statistics.median(r):.4f} (range {r[0]:.4f}-{r[-1]:.4f}, {len(r)} pairs)")
PY
