#!/bin/bash
# Reserves N 2 MiB hugepages for weir-dataplane (default 512) and mounts hugetlbfs on
# /dev/hugepages if none is mounted. Never fails: without hugepages the dataplane
# (hugepages = "auto") runs with --no-huge, and this says so in one line.
#
#   scripts/hugepages.sh [N]             reserve N pages (never fewer than already are)
#   scripts/hugepages.sh --restore N     give the pool back to N pages, as it was before
#
# scripts/test and scripts/demo read the count first and restore it when they end, so
# that a machine gets back the memory they took. Pages still in use stay reserved (the
# kernel frees only free pages), so a restore never disturbs a running dataplane.

nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
sudo=()
((EUID == 0)) || sudo=(sudo -n)

if [[ ${1-} == --restore ]]; then
	[[ ${2-} =~ ^[0-9]+$ ]] || exit 0 # nothing was read before: nothing to give back
	have=$(cat "$nr" 2>/dev/null) || exit 0
	if ((have > $2)); then
		echo "$2" | "${sudo[@]}" tee "$nr" >/dev/null 2>&1 || true
		echo "hugepages: pool given back from $have to $(cat "$nr" 2>/dev/null) 2 MiB pages"
	fi
	exit 0
fi

want=${1:-512}

fallback() {
	echo "hugepages: $*; weir-dataplane will fall back to --no-huge"
	exit 0
}

[[ $want =~ ^[0-9]+$ ]] || fallback "bad page count '$want'"
have=$(cat "$nr" 2>/dev/null) || fallback "no 2 MiB hugepage support ($nr)"
if ((have < want)); then
	echo "$want" | "${sudo[@]}" tee "$nr" >/dev/null 2>&1
	have=$(cat "$nr" 2>/dev/null || echo 0)
fi
((have > 0)) || fallback "could not reserve any 2 MiB hugepage"

if ! grep -q ' hugetlbfs ' /proc/mounts; then
	{ "${sudo[@]}" mkdir -p /dev/hugepages &&
		"${sudo[@]}" mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages; } 2>/dev/null ||
		fallback "could not mount hugetlbfs on /dev/hugepages"
fi

if ((have < want)); then
	echo "hugepages: only $have of $want 2 MiB pages could be reserved"
else
	echo "hugepages: $have 2 MiB pages reserved, hugetlbfs mounted"
fi
