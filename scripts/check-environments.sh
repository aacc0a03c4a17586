#!/usr/bin/env bash
# Runs the test suite in machines unlike the developers': pinned to one CPU
# (taskset), in a cgroup cpuset of one CPU (a container's --cpuset-cpus),
# transparent huge pages never and always, no huge pages reserved and some,
# as a user who is not root, and under a 4 GiB cgroup memory limit. Each
# environment is set up, the suite run, and the machine put back as it was
# (also on Ctrl-C). Prints each environment's Criterion synthesis lines (the
# main suite, then the CPU-share test that runs alone) and the tests that
# skipped there with their reasons.
#
#   bash scripts/check-environments.sh [--full] [ENV ...]
#
# ENV: one-cpu cpuset thp-never thp-always no-hugepages hugepages non-root
#      memory-4g (default: all of them), or non-root-cpuset: as user nobody
#      inside the one-CPU cpuset, both at once in one run of the suite
#      (what CI runs). The suite is the quick one
#      (slow suites filtered out) except in memory-4g, whose point is the
#      fast-mode suites; --full runs the slow suites everywhere. The quick
#      one also leaves out two suites that nothing here changes and that
#      take a minute each on 2 cores, which the README's run has covered:
#      randomx_oracle (hashes against a library on the CPU) and solo_monerod
#      (a regtest monerod on loopback).
# BUILD_DIR: the built tree whose tests/minemeter-tests and
# tests/minemeter-alone-tests run (default: .).
# Changing THP, huge pages, users and cgroups needs root: without it those
# environments are reported as not run, never as passed.
set -uo pipefail

build_dir=${BUILD_DIR:-.}
suite="$build_dir/tests/minemeter-tests"
alone="$build_dir/tests/minemeter-alone-tests"
full=0
envs=()
for arg in "$@"; do
    case "$arg" in
    --full) full=1 ;;
    one-cpu | cpuset | thp-never | thp-always | no-hugepages | hugepages | non-root | \
        non-root-cpuset | memory-4g)
        envs+=("$arg") ;;
    -h | --help)
        sed -n '2,/^set /p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0 ;;
    *)
        echo "check-environments: unknown environment '$arg' (see --help)" >&2
        exit 2 ;;
    esac
done
[ ${#envs[@]} -eq 0 ] &&
    envs=(one-cpu cpuset thp-never thp-always no-hugepages hugepages non-root memory-4g)
if [ ! -x "$suite" ] || [ ! -x "$alone" ]; then
    echo "check-environments: no $suite or $alone: build them first (make check TESTS=)" >&2
    exit 2
fi

THP=/sys/kernel/mm/transparent_hugepage/enabled
NR_HUGEPAGES=/proc/sys/vm/nr_hugepages
thp_before=$(sed 's/.*\[\(.*\)\].*/\1/' "$THP" 2>/dev/null || true)
pages_before=$(cat "$NR_HUGEPAGES" 2>/dev/null || true)
cgroup_dir=""
log_dir=$(mktemp -d /tmp/minemeter-environments-XXXXXX)
chmod 755 "$log_dir"

restore() {
    [ -n "$thp_before" ] && [ -w "$THP" ] && echo "$thp_before" >"$THP" 2>/dev/null
    [ -n "$pages_before" ] && [ -w "$NR_HUGEPAGES" ] &&
        echo "$pages_before" >"$NR_HUGEPAGES" 2>/dev/null
    if [ -n "$cgroup_dir" ] && [ -d "$cgroup_dir" ]; then
        rmdir "$cgroup_dir" 2>/dev/null
    fi
    return 0
}
trap 'restore; exit 130' INT TERM
trap restore EXIT

filter_for() {
    if [ "$full" = 1 ] || [ "$1" = memory-4g ]; then
        echo '*/*'
    else
        echo '!(slow*|randomx_oracle|solo_monerod)/*'
    fi
}

# Makes a memory cgroup limited to 4 GiB (v2 when the memory controller is
# there, else v1) and prints its directory.
make_memory_cgroup() {
    local dir
    if grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
        dir=/sys/fs/cgroup/minemeter-env-$$
        mkdir "$dir" && echo $((4 << 30)) >"$dir/memory.max" || return 1
    elif [ -d /sys/fs/cgroup/memory ]; then
        dir=/sys/fs/cgroup/memory/minemeter-env-$$
        mkdir "$dir" && echo $((4 << 30)) >"$dir/memory.limit_in_bytes" || return 1
    else
        return 1
    fi
    echo "$dir"
}

# Makes a cpuset cgroup holding only the last online CPU (so that cpu0 is
# not in it) and prints its directory.
make_cpuset_cgroup() {
    local dir cpu
    cpu=$(($(getconf _NPROCESSORS_ONLN) - 1))
    if grep -qw cpuset /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
        dir=/sys/fs/cgroup/minemeter-env-$$
        mkdir "$dir" && echo "$cpu" >"$dir/cpuset.cpus" || return 1
    elif [ -d /sys/fs/cgroup/cpuset ]; then
        dir=/sys/fs/cgroup/cpuset/minemeter-env-$$
        mkdir "$dir" && echo "$cpu" >"$dir/cpuset.cpus" &&
            cat /sys/fs/cgroup/cpuset/cpuset.mems >"$dir/cpuset.mems" || return 1
    else
        return 1
    fi
    echo "$dir"
}

# Runs the suite in the cgroup dir (its process moved there before exec),
# after an optional prefix command ("${as_nobody[@]}").
run_in_cgroup() {
    local name=$1 dir=$2
    shift 2
    run_suite "$name" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# A prefix that runs a command as user nobody, with a HOME it can write.
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp)

# Runs both suites with a prefix command; prints nothing, leaves the log.
run_suite() {
    local name=$1 rc=0
    shift
    "$@" "$suite" --verbose --filter="$(filter_for "$name")" >"$log_dir/$name.log" 2>&1 || rc=$?
    "$@" "$alone" --verbose >>"$log_dir/$name.log" 2>&1 || rc=$?
    return $rc
}

results=()
failed=0
for name in "${envs[@]}"; do
    why=""
    restore
    if [ "$(id -u)" != 0 ] && [ "$name" != one-cpu ]; then
        why="needs root"
    fi
    echo "== $name"
    start=$(date +%s)
    rc=0
    if [ -z "$why" ]; then
        case "$name" in
        one-cpu)
            run_suite "$name" taskset -c "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" || rc=$?
            ;;
        thp-never | thp-always)
            if [ -w "$THP" ] && echo "${name#thp-}" >"$THP"; then
                run_suite "$name" || rc=$?
            else
                why="cannot write $THP"
            fi
            ;;
        no-hugepages | hugepages)
            want=0
            [ "$name" = hugepages ] && want=64
            if echo "$want" >"$NR_HUGEPAGES" && [ "$(cat "$NR_HUGEPAGES")" -ge "$want" ]; then
                run_suite "$name" || rc=$?
            else
                why="cannot reserve $want huge pages"
            fi
            ;;
        non-root)
            if "${as_nobody[@]}" test -x "$suite"; then
                run_suite "$name" "${as_nobody[@]}" || rc=$?
            else
                why="user nobody cannot run $suite (its directories are not readable)"
            fi
            ;;
        non-root-cpuset)
            if ! "${as_nobody[@]}" test -x "$suite"; then
                why="user nobody cannot run $suite (its directories are not readable)"
            elif cgroup_dir=$(make_cpuset_cgroup); then
                run_in_cgroup "$name" "$cgroup_dir" "${as_nobody[@]}" || rc=$?
            else
                cgroup_dir=""
                why="no cpuset cgroup controller"
            fi
            ;;
        cpuset)
            if cgroup_dir=$(make_cpuset_cgroup); then
                run_in_cgroup "$name" "$cgroup_dir" || rc=$?
            else
                cgroup_dir=""
                why="no cpuset cgroup controller"
            fi
            ;;
        memory-4g)
            if cgroup_dir=$(make_memory_cgroup); then
                run_in_cgroup "$name" "$cgroup_dir" || rc=$?
            else
                cgroup_dir=""
                why="no memory cgroup controller to limit"
            fi
            ;;
        esac
    fi
    seconds=$(($(date +%s) - start))
    if [ -n "$why" ]; then
        line="not run: $why"
    else
        line=$(grep -a 'Synthesis' "$log_dir/$name.log" | sed 's/^\[====\] Synthesis: //' |
            sed 's/ *$//' | paste -sd '+' | sed 's/+/; alone: /')
        [ -z "$line" ] && line="no synthesis line (exit $rc)"
        if [ "$rc" != 0 ]; then
            failed=1
            grep -a -E '^\[(FAIL|----)\]' "$log_dir/$name.log" | head -40
        fi
        grep -a '^\[SKIP\]' "$log_dir/$name.log" | grep -av 'Test is disabled' |
            sed 's/^\[SKIP\] /  skipped: /'
    fi
    echo "$name: $line (${seconds} s)"
    results+=("$(printf '%-13s %s (%s s)' "$name" "$line" "$seconds")")
done

echo "== environments (logs in $log_dir)"
printf '%s\n' "${results[@]}"
exit "$failed"
