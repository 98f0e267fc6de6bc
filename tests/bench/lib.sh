# SPDX-License-Identifier: BSD-3-Clause
# Shared by the nvfio-perf test scripts: sourced with the program's path as $1.
# Each script exits 0 pass, 1 fail, 77 skip (saying why).
set -uo pipefail

PERF=${1:?usage: $0 PATH-TO-nvfio-perf}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECK_JSON="$HERE/check-json.py"
TMP=$(mktemp -d /tmp/nvb-test.XXXXXX)
CLEANUPS=()

cleanup() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[$i]}" || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# run NAME ARGS...: run nvfio-perf, keeping stdout in $TMP/NAME.out and stderr in $TMP/NAME.err;
# sets $rc.
run() {
	local name=$1
	shift
	"$PERF" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
}

# ok NAME ARGS...: the run must succeed.
ok() {
	run "$@"
	if [ "$rc" -ne 0 ]; then
		cat "$TMP/$1.out" "$TMP/$1.err" >&2
		fail "$1: nvfio-perf exited $rc"
	fi
}

# refused NAME 'WORDS' ARGS...: the run must fail with exit 1 and a message with WORDS.
refused() {
	local name=$1 words=$2
	shift 2
	run "$name" "$@"
	[ "$rc" -eq 1 ] || fail "$name: exit status $rc, expected 1 (stderr: $(cat "$TMP/$name.err"))"
	grep -qF -- "$words" "$TMP/$name.err" ||
		fail "$name: stderr lacks '$words': $(cat "$TMP/$name.err")"
}

# refused_early NAME 'WORDS' ARGS...: refused as above, before any job started: the message is
# prefixed with the program's name once, and nothing says a job is starting.
refused_early() {
	refused "$@"
	! grep -q "nvfio-perf: nvfio-perf:" "$TMP/$1.err" || fail "$1: prefixed twice: $(cat "$TMP/$1.err")"
	! grep -q "^Starting" "$TMP/$1.out" || fail "$1: refused after 'Starting': $(cat "$TMP/$1.out")"
}

# has NAME 'TEXT': stdout of the run NAME contains TEXT.
has() {
	grep -qF -- "$2" "$TMP/$1.out" || fail "$1: output lacks '$2': $(head -c 3000 "$TMP/$1.out")"
}

# json NAME CHECK-OPTIONS...: stdout of NAME is a valid report.
json() {
	local name=$1
	shift
	python3 "$CHECK_JSON" "$TMP/$name.out" "$@" >/dev/null || fail "$name: JSON check failed"
}

# jq_ NAME EXPR: a Python expression over the parsed report 'd' of run NAME.
jq_() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$TMP/$1.out"
}

command -v python3 >/dev/null || skip "python3 is not installed"
[ -x "$PERF" ] || fail "$PERF is not an executable"
