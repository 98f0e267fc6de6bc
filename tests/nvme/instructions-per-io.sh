#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Instructions the driver executes per 4 KiB random read at queue depth 32 on the simulated
# controller: runs nvme_perf_ipio under callgrind and reports what the main thread spent in the
# driver - the functions of libnvfio and the inline functions of <nvfio/...> headers - per I/O,
# less the idle poll loop (its cost per turn calibrated in a window of its own).
#
# Usage: instructions-per-io.sh PATH/TO/nvme_perf_ipio [program options]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
prog=$1
shift
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind is not installed (apt-get install valgrind)"
	exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --fair-sched=yes \
	--dump-instr=no --compress-strings=no --compress-pos=no \
	--callgrind-out-file="$dir/cg.out" "$prog" "$@" >"$dir/stdout" 2>"$dir/stderr" || {
	cat "$dir/stdout" "$dir/stderr"
	exit 1
}
cat "$dir/stdout"
ios=$(sed -n 's/^measured I\/Os: //p' "$dir/stdout")
idle=$(sed -n 's/^empty polls: //p' "$dir/stdout")
calib=$(sed -n 's/^calibration polls: //p' "$dir/stdout")

# The main thread's self cost in one dump, "DRIVER TOTAL": the driver's (libnvfio's functions and
# the inline functions of the public headers) and everything; bench/callgrind_ipio.py is the
# parser bench/instructions-per-io uses too.
sum() {
	python3 "$top/bench/callgrind_ipio.py" "$1"
}
file_of() {
	for f in "$dir"/cg.out.*-01; do
		if grep -q "^desc: Trigger: Client Request: $1" "$f"; then
			echo "$f"
			return
		fi
	done
}
cfile=$(file_of calibrate)
mfile=$(file_of measure)
if [ -z "$cfile" ] || [ -z "$mfile" ] || [ -z "$ios" ]; then
	echo "no measurement (callgrind dumps missing)"
	ls "$dir"
	exit 1
fi
set -- $(sum "$cfile")
cd_drv=$1 cd_tot=$2
set -- $(sum "$mfile")
awk -v d="$1" -v t="$2" -v cd="$cd_drv" -v ct="$cd_tot" -v n="$ios" -v idle="$idle" \
	-v k="$calib" 'BEGIN {
	printf "idle turns: %d at %.1f driver / %.1f total instructions each\n", idle, cd / k, ct / k
	printf "instructions per I/O: %.1f (job thread: %.1f)\n", (d - idle * cd / k) / n,
		(t - idle * ct / k) / n
}'
