#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run every libFuzzer target for SECONDS on its corpus: the repository's seeds
# (read only) and a working corpus in the build folder that keeps what the fuzzer
# learns between runs. Fails when any target reports a crash, an oracle failure,
# a leak, undefined behaviour, a timeout or running out of memory; the inputs that
# did are left in BUILD_FUZZ_DIR/findings. Prints each target's executions,
# executions per second and coverage.
#
#   run-fuzzers.sh BUILD_FUZZ_DIR SOURCE_FUZZ_DIR SECONDS [TARGET...]
set -uo pipefail

bin=${1:?usage: run-fuzzers.sh BUILD_FUZZ_DIR SOURCE_FUZZ_DIR SECONDS [TARGET...]}
src=${2:?usage: run-fuzzers.sh BUILD_FUZZ_DIR SOURCE_FUZZ_DIR SECONDS [TARGET...]}
seconds=${3:?usage: run-fuzzers.sh BUILD_FUZZ_DIR SOURCE_FUZZ_DIR SECONDS [TARGET...]}
shift 3
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tlp-header tlp-ecrc-trailer tunnel-header tunnel-grant-header tunnel-ack-header tunnel-remap-header nic-receive)

# Largest input per target: a TLP with 4096 data bytes and its digest; a header
# listing 1024 lengths; a grant body; a few records of the NIC target.
max_len() {
    case $1 in
    tlp-header | tlp-ecrc-trailer) echo 4200 ;;
    tunnel-header) echo 2100 ;;
    tunnel-grant-header | tunnel-remap-header) echo 64 ;;
    tunnel-ack-header) echo 600 ;;
    *) echo 8192 ;;
    esac
}

# Leaks and undefined behaviour are findings; ASan's quarantine is kept small so
# that two cores shared with builds have room.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64:malloc_context_size=20}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

mkdir -p "$bin/findings"
summary=()
failed=0
for target in "${targets[@]}"; do
    exe="$bin/fuzz-$target"
    [ -x "$exe" ] || { echo "run-fuzzers.sh: no $exe" >&2; exit 2; }
    work="$bin/corpus/$target"
    mkdir -p "$work"
    options=()
    [ "$target" = tunnel-grant-header ] || options+=(-dict="$src/tlp-tunnel.dict")
    # Comparison values guide the format targets; the NIC target is better off
    # with twice the executions.
    [ "$target" = nic-receive ] || options+=(-use_value_profile=1)
    log="$bin/fuzz-$target.log"
    echo "=== fuzz-$target for ${seconds} s (log: $log)"
    "$exe" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
        -print_final_stats=1 "${options[@]}" \
        -artifact_prefix="$bin/findings/$target-" "$work" "$src/corpus/$target" > "$log" 2>&1
    status=$?
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
    if [ $status -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status)"
        failed=1
        grep -E -m 5 'FUZZ ORACLE|ERROR: |runtime error|SUMMARY|aborted|Test unit written' "$log" >&2
    fi
    summary+=("$(printf '%-20s %10s execs %7s exec/s  cov %5s  ft %6s  corpus %-12s %s' \
        "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done
echo "=== fuzzing summary (${seconds} s per target)"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
    echo "run-fuzzers.sh: findings in $bin/findings (replay: $bin/fuzz-<target> FILE)" >&2
    exit 1
fi
