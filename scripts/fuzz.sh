#!/bin/sh
# Fuzzes pipe's parsers of untrusted bytes with libFuzzer + AddressSanitizer.
#
#   scripts/fuzz.sh TARGET SECONDS     one target (spec tiff png jpeg rle safetensors npy metadata)
#   scripts/fuzz.sh --all SECONDS      every target, one after another (CI: --all 30)
#
# Builds Fuzz/PipeFuzz once into .build-fuzz (release, -sanitize=fuzzer,address), then runs the
# target over a working copy of its seed corpus (Fuzz/corpus/TARGET) plus every saved regression
# input (Fuzz/regressions/TARGET). Prints executions and crashes per target; a crash, leak, timeout
# or an allocation over the limits below is saved under .build-fuzz/crashes/TARGET/ and makes the
# script exit 1. Reproduce one with: swift build --product pipe-fuzz && .build/debug/pipe-fuzz TARGET FILE
# Environment: FUZZ_JOBS_NICE (default 10) niceness; FUZZ_RSS_MB (2048) and FUZZ_MALLOC_MB (1024) limits;
# FUZZ_KEEP_GOING=1 runs libFuzzer in fork mode, recording every crash instead of stopping at the first
# (for long runs; the exit status is still 1 when anything was found).
set -eu
cd "$(dirname "$0")/.."
TARGETS="spec tiff png jpeg rle safetensors npy metadata"
usage() { echo "usage: scripts/fuzz.sh TARGET|--all SECONDS   (targets: $TARGETS)" >&2; exit 2; }
[ $# -eq 2 ] || usage
case "$2" in ''|*[!0-9]*) usage ;; esac
if [ "$1" = "--all" ]; then
    selected=$TARGETS
else
    case " $TARGETS " in *" $1 "*) selected=$1 ;; *) usage ;; esac
fi
seconds=$2
scratch=.build-fuzz
binary=$scratch/release/pipe-fuzz

mkdir -p "$scratch"
echo "building pipe-fuzz (libFuzzer + AddressSanitizer) into $scratch ..."
nice -n "${FUZZ_JOBS_NICE:-10}" swift build -c release --scratch-path "$scratch" --product pipe-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DPIPE_FUZZ >"$scratch/build.log" 2>&1 \
    || { tail -30 "$scratch/build.log" >&2; echo "fuzz build failed (log: $scratch/build.log)" >&2; exit 2; }

failed=0
printf '%-12s %8s %12s %8s\n' target seconds executions crashes
for target in $selected; do
    work=$scratch/corpus/$target crashes=$scratch/crashes/$target log=$scratch/$target.log
    mkdir -p "$work" "$crashes" "Fuzz/regressions/$target"
    before=$(ls "$crashes" | grep -cE '^(crash|oom|timeout|leak)-' || true)
    status=0
    keep=""
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && keep="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"
    # shellcheck disable=SC2086
    PIPE_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0 \
        nice -n "${FUZZ_JOBS_NICE:-10}" "$binary" -max_total_time="$seconds" -timeout=20 \
        -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -malloc_limit_mb="${FUZZ_MALLOC_MB:-1024}" -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$crashes/" $keep \
        "$work" "Fuzz/corpus/$target" "Fuzz/regressions/$target" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' "$log" | tail -1)   # fork mode
    found=$(( $(ls "$crashes" | grep -cE '^(crash|oom|timeout|leak)-' || true) - before ))
    forked=$(sed -n 's/.*oom\/timeout\/crash: \([0-9]*\)\/\([0-9]*\)\/\([0-9]*\).*/\1 \2 \3/p' "$log" | tail -1)
    if [ -n "$forked" ]; then
        set -- $forked
        [ $(( $1 + $2 + $3 )) -gt "$found" ] && found=$(( $1 + $2 + $3 ))
    fi
    [ "$status" -ne 0 ] && [ "$found" -eq 0 ] && found=1
    printf '%-12s %8s %12s %8s\n' "$target" "$seconds" "${execs:-?}" "$found"
    if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
        failed=1
        grep -m3 -E 'ERROR: |==[0-9]+==|Fatal error|SUMMARY' "$log" | sed "s/^/  $target: /" >&2 || true
        echo "  $target: inputs in $crashes/, log $log" >&2
    fi
done
exit $failed
