#!/bin/bash
# Installs the Debian packages Weir needs: scripts/deps.sh demo|test.
# Sourcing it defines weir_deps; `. scripts/deps.sh test` also installs at once.
# Only missing packages are installed (apt-get update runs only then); root or sudo.

# libcmocka-dev is common: a release build builds the unit tests too.
WEIR_DEPS_COMMON=(dpdk-dev libdpdk-dev meson ninja-build pkg-config gcc libconfig-dev
	libssl-dev libcmocka-dev iproute2 ethtool procps socat curl nginx python3)
WEIR_DEPS_DEMO=()
WEIR_DEPS_TEST=(python3-pytest python3-scapy nftables tcpdump wrk
	iputils-ping clang libclang-rt-14-dev valgrind haproxy)

# weir_deps demo|test: install what that command needs; returns non-zero on failure.
weir_deps() {
	local want=("${WEIR_DEPS_COMMON[@]}") missing=() sudo=() p
	case ${1:-} in
	demo) want+=("${WEIR_DEPS_DEMO[@]}") ;;
	test) want+=("${WEIR_DEPS_TEST[@]}") ;;
	*)
		echo "usage: scripts/deps.sh demo|test" >&2
		return 2
		;;
	esac
	for p in "${want[@]}"; do
		# shellcheck disable=SC2016 # ${Status} is dpkg-query's field, not ours
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] ||
			missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		echo "deps: all ${#want[@]} packages for '$1' are installed"
		return 0
	fi
	((EUID == 0)) || sudo=(sudo)
	echo "deps: installing ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "${missing[@]}"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	weir_deps "$@"
elif (($# > 0)); then
	weir_deps "$@"
fi
