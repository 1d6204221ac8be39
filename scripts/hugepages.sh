#!/bin/bash
# Reserves N 2 MiB hugepages for weir-dataplane (default 512) and mounts hugetlbfs on
# /dev/hugepages if none is mounted. Never fails: without hugepages the dataplane
# (hugepages = "auto") runs with --no-huge, and this says so in one line.

want=${1:-512}
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
sudo=()
((EUID == 0)) || sudo=(sudo -n)

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
