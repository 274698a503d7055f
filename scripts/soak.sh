#!/bin/sh
# Fault soak: kill -9 `pipe run` at random points N times, then N concurrent
# runs on one fresh cache; after each disturbance `pipe cache verify` must find
# nothing corrupt and no command stage may survive pipe; the final outputs must
# have the digests of an undisturbed run.
#
#   scripts/soak.sh [N]                 (default: 20 kills and 20 concurrent runs)
#   PIPE=path/to/pipe scripts/soak.sh ...       (default: .build/debug/pipe)
set -eu
cd "$(dirname "$0")/.."
N="${1:-20}"
PIPE="${PIPE:-$(pwd)/.build/debug/pipe}"
[ -x "$PIPE" ] || { echo "soak: no pipe binary at $PIPE; run 'swift build' or set PIPE" >&2; exit 2; }
SPEC="$(pwd)/scripts/soak/soak.yaml"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

digests() {  # task -> output digest, one per line, sorted
    python3 -c 'import json,sys; d=json.load(sys.stdin); [print(t["task"], t.get("output")) for t in sorted(d["tasks"], key=lambda t: t["task"])]'
}
verify_clean() {  # exit status of verify + no corrupt objects
    out="$("$PIPE" cache verify --json)" || { echo "soak: verify failed in $(pwd): $out" >&2; return 1; }
    echo "$out" | python3 -c 'import json,sys; sys.exit(1 if json.load(sys.stdin)["corrupt_objects"] else 0)'
}
survivors() {  # command-stage processes of this soak still alive
    pgrep -f "seq .* 1000|cat .*part.txt" 2>/dev/null | wc -l
}

start=$(date +%s)
mkdir "$WORK/reference" && cd "$WORK/reference"
t0=$(date +%s.%N)
"$PIPE" run "$SPEC" --json | digests > "$WORK/expected"
cold=$(python3 -c "import sys; print(round($(date +%s.%N) - $t0, 2))")
tasks=$(wc -l < "$WORK/expected")

mkdir "$WORK/killed" && cd "$WORK/killed"
kills=0; verify_failures=0; survivor_count=0; finished_before_kill=0
i=0
while [ "$i" -lt "$N" ]; do
    i=$((i + 1))
    delay=$(python3 -c "import random; print(round(random.uniform(0.02, $cold), 2))")
    "$PIPE" run "$SPEC" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); else finished_before_kill=$((finished_before_kill + 1)); fi
    wait "$pid" 2>/dev/null || true
    sleep 0.5
    left=$(survivors); survivor_count=$((survivor_count + left))
    verify_clean || verify_failures=$((verify_failures + 1))
    # Every third kill starts over from an empty cache, so early stages get killed too;
    # the others resume from what the killed runs left.
    if [ $((i % 3)) -eq 0 ]; then rm -rf "$WORK/killed/.pipe" "$WORK/killed/runs"; fi
done
"$PIPE" run "$SPEC" --json | digests > "$WORK/after-kills"
killed_mismatch=0
cmp -s "$WORK/expected" "$WORK/after-kills" || killed_mismatch=1
verify_clean || verify_failures=$((verify_failures + 1))

mkdir "$WORK/concurrent" && cd "$WORK/concurrent"
pids=""
j=0
while [ "$j" -lt "$N" ]; do
    j=$((j + 1))
    "$PIPE" run "$SPEC" --json > "$WORK/concurrent.$j" 2>"$WORK/concurrent.$j.err" &
    pids="$pids $!"
done
concurrent_failures=0
for pid in $pids; do wait "$pid" || concurrent_failures=$((concurrent_failures + 1)); done
concurrent_mismatch=0
j=0
while [ "$j" -lt "$N" ]; do
    j=$((j + 1))
    digests < "$WORK/concurrent.$j" > "$WORK/concurrent.$j.digests" 2>/dev/null || true
    cmp -s "$WORK/expected" "$WORK/concurrent.$j.digests" || concurrent_mismatch=$((concurrent_mismatch + 1))
done
verify_clean || verify_failures=$((verify_failures + 1))

seconds=$(( $(date +%s) - start ))
echo "soak: $tasks tasks, cold run ${cold} s; $kills kill -9 mid-run ($finished_before_kill runs finished first), $N concurrent runs, ${seconds} s"
echo "soak: verify failures $verify_failures, surviving command processes $survivor_count, digest mismatch after kills $killed_mismatch, concurrent failures $concurrent_failures, concurrent digest mismatches $concurrent_mismatch"
[ "$verify_failures" -eq 0 ] && [ "$survivor_count" -eq 0 ] && [ "$killed_mismatch" -eq 0 ] &&
    [ "$concurrent_failures" -eq 0 ] && [ "$concurrent_mismatch" -eq 0 ]
