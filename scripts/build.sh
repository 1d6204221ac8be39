#!/bin/bash
# Builds Weir: scripts/build.sh [release|asan|fuzz|all] (default release).
#   release  build/       debugoptimized
#   asan     build-asan/  AddressSanitizer + UBSan
#   fuzz     build-fuzz/  clang, libFuzzer targets, AddressSanitizer + UBSan, no unit tests
# A build directory is configured once; later runs only rebuild it with ninja.
set -euo pipefail
cd "$(dirname "$0")/.."

SANITIZE=("-Db_sanitize=address,undefined" -Db_lundef=false)

# build_dir DIR [MESON-OPTION...]: configure DIR if needed, then build it.
build_dir() {
	local dir=$1
	shift
	if [[ ! -f $dir/build.ninja ]]; then
		rm -rf "$dir" # a set-up that failed halfway
		meson setup "$dir" --buildtype=debugoptimized "$@" || return 1
	fi
	ninja -C "$dir"
}

build_variant() {
	case $1 in
	release) build_dir build ;;
	asan) build_dir build-asan "${SANITIZE[@]}" ;;
	fuzz) (export CC=clang && build_dir build-fuzz -Dfuzz=true -Dtests=false "${SANITIZE[@]}") ;;
	esac
}

case ${1:-release} in
release | asan | fuzz) variants=("${1:-release}") ;;
all) variants=(release asan fuzz) ;;
*)
	echo "usage: scripts/build.sh [release|asan|fuzz|all]" >&2
	exit 2
	;;
esac

failed=()
for v in "${variants[@]}"; do
	echo "--- build.sh: $v"
	build_variant "$v" || failed+=("$v")
done
if ((${#failed[@]})); then
	echo "build.sh: FAILED: ${failed[*]} (see the errors above)" >&2
	exit 1
fi
