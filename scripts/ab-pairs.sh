#!/usr/bin/env bash
# A/B of two minemeter builds on a noisy machine: for each pair, binary A
# then binary B, one after the other, one thread pinned to the same PU;
# the next pair on the next PU of the list. Prints each pair's H/s and its
# B/A ratio, then the median ratio with its range. Within a pair both see
# the same core at nearly the same time, so the ratio holds where the
# figures themselves drift (docs/benchmarks.md, "CryptoNight loops in
# assembly": on a shared VM two cores ran 30% apart).
#
#   bash scripts/ab-pairs.sh A B ALGO [PAIRS [SECONDS [PUS]]]
#
# A, B: minemeter binaries. ALGO: one --algo name. PAIRS: default 6.
# SECONDS: each run's --duration, default 5. PUS: the PUs to cycle
# through, comma-separated, default 0,1. Never run it beside another
# benchmark.
set -euo pipefail

if [ $# -lt 3 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    sed -n '2,/^set /p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    [ $# -ge 3 ] && exit 0
    exit 2
fi
a=$1 b=$2 algo=$3 pairs=${4:-6} seconds=${5:-5} pus=${6:-0,1}
for bin in "$a" "$b"; do
    if [ ! -x "$bin" ]; then
        echo "ab-pairs: $bin is not an executable minemeter" >&2
        exit 2
    fi
done
case "$pairs$seconds" in
*[!0-9]*)
    echo "ab-pairs: PAIRS and SECONDS are whole numbers" >&2
    exit 2 ;;
esac
IFS=, read -r -a pu_list <<<"$pus"
json=$(mktemp /tmp/minemeter-ab-XXXXXX)
trap 'rm -f "$json"' EXIT

# One run's median H/s.
rate() {
    "$1" bench --algo "$algo" --threads 1 --affinity "$2" --repeat 1 --duration "$seconds" \
        --no-reference --json "$json" >/dev/null
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["algorithms"][0]["runs"][0]["hashes_per_second"]["median"])' "$json"
}

ratios=()
for ((i = 0; i < pairs; i++)); do
    pu=${pu_list[i % ${#pu_list[@]}]}
    ra=$(rate "$a" "$pu")
    rb=$(rate "$b" "$pu")
    ratio=$(python3 -c "print(f'{$rb / $ra:.4f}')")
    ratios+=("$ratio")
    printf 'pair %d on PU %s: A %.2f H/s, B %.2f H/s, B/A %s\n' $((i + 1)) "$pu" "$ra" "$rb" "$ratio"
done
python3 -c 'import statistics, sys
r = [float(x) for x in sys.argv[1:]]
print(f"B/A median {statistics.median(r):.4f}, range {min(r):.4f}-{max(r):.4f}, {sum(x > 1 for x in r)} of {len(r)} above 1")' "${ratios[@]}"
