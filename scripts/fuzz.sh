#!/bin/bash
# Runs every libFuzzer target built in build-fuzz/tests/fuzz on its checked-in corpus:
#   scripts/fuzz.sh ci     30 s per target (FUZZ_SECONDS overrides)
#   scripts/fuzz.sh long   600 s per target
# New inputs go to a temporary corpus, so tests/fuzz/corpus/ keeps only its seeds.
# Crashes are written to tests/fuzz/crash-* and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."

case ${1:-ci} in
ci) secs=${FUZZ_SECONDS:-30} ;;
long) secs=${FUZZ_SECONDS:-600} ;;
*)
	echo "usage: scripts/fuzz.sh [ci|long]" >&2
	exit 2
	;;
esac

dir=build-fuzz/tests/fuzz
if [[ ! -d $dir ]]; then
	echo "fuzz: $dir does not exist: build it with scripts/build.sh fuzz" >&2
	exit 1
fi
targets=()
for t in "$dir"/fuzz_*; do
	[[ -f $t && -x $t ]] && targets+=("$t")
done
if ((${#targets[@]} == 0)); then
	echo "fuzz: no fuzz_* targets in $dir"
	exit 0
fi

# Undefined behaviour fails a run, as a crash does (by default UBSan only reports it).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
	name=$(basename "$t")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	corpus=$work/$name
	mkdir -p "$corpus"
	dirs=("$corpus")
	[[ -d $seeds ]] && dirs+=("$seeds")
	echo "==> $name: ${secs}s on ${dirs[*]}"
	if ! "$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix=tests/fuzz/ "${dirs[@]}"; then
		failed+=("$name")
		echo "fuzz: $name FAILED (reproducer: tests/fuzz/crash-*, leak-*, timeout-* or oom-*)" >&2
	fi
done
if ((${#failed[@]})); then
	echo "fuzz: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${secs}s each without a crash"
