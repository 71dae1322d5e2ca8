#!/usr/bin/env bash
# End-to-end benchmark of the decouple binary on generated trees.
#
#   bench/run.sh           full run: hyperfine --warmup 2 --runs 10 per scenario
#   bench/run.sh --smoke   tiny trees, one run each (for CI; a few seconds)
#
# Each compose scenario runs on the generator's own tree and on a long-tail
# tree (gentree -long-tail) side by side; a full run also times dclint
# (npx dclint@3.1.0) on the long-tail compose files, as a ratio.
#
# For each scenario it generates a tree with bench/cmd/gentree, times
# `decouple lint --format json --fail-on never .` with hyperfine (median) and
# measures the peak RSS of one run with /usr/bin/time -v, then prints a
# Markdown table (also saved as bench/out/results.md). --fail-on never keeps
# the exit status 0 despite findings, so a run that exits non-zero (2: a
# file could not be loaded) stops the script. Targets are informational:
# the machine is shared and noisy, so a miss does not fail the script.
#
# Wall time on a shared 2-core machine is noisy, so when valgrind is
# installed the table also gives each scenario's instruction count
# (callgrind, GOMAXPROCS=1, asynchronous preemption off: repeatable to
# about 1%): by default for the one-project scenarios and `decouple
# version` (the process start they are held against), for every scenario
# with BENCH_INSTR=all (slow: valgrind runs the large trees ~50x slower),
# for none with BENCH_INSTR=0.
#
# Outputs (gitignored) under bench/out/: the binaries, trees/, per-scenario
# hyperfine JSON, the JSON report of the measured run and its stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out="$here/out"

smoke=0
case "${1:-}" in
"") ;;
--smoke) smoke=1 ;;
*)
	echo "usage: bench/run.sh [--smoke]" >&2
	exit 2
	;;
esac

mkdir -p "$out/trees"
# The trees hold Go sources of generated services (each in its own module);
# this go.mod keeps all of bench/out out of the main module's ./... anyway.
printf 'module benchout\n' >"$out/go.mod"

have() { command -v "$1" >/dev/null 2>&1; }

apt_install() { # package...
	have apt-get || return 1
	apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

if ! have hyperfine; then
	echo "bench: installing hyperfine" >&2
	apt_install hyperfine || true
fi
if ! have hyperfine && [ "$smoke" = 0 ]; then
	echo "bench: hyperfine is required (apt-get install -y hyperfine)" >&2
	exit 1
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench: installing time" >&2
	apt_install time || true
fi
if [ ! -x /usr/bin/time ] && [ "$smoke" = 0 ]; then
	echo "bench: /usr/bin/time is required (apt-get install -y time)" >&2
	exit 1
fi

echo "bench: building" >&2
(cd "$repo" && go build -o "$out/decouple" ./cmd/decouple && go build -o "$out/gentree" ./bench/cmd/gentree)
bin="$out/decouple"

if [ "$smoke" = 1 ]; then
	warmup=0 runs=1 slow=20
else
	warmup=2 runs=10 slow=60
fi

table="$out/results.md"
{
	echo "| scenario | files | median ms | peak RSS MiB | instructions (M) | target | result |"
	echo "| --- | ---: | ---: | ---: | ---: | --- | --- |"
} >"$table"

# instr ID CMD...: prints the instructions (millions) CMD runs under
# callgrind, or "—" when not measured (see BENCH_INSTR above).
instr() {
	local name=$1
	shift
	case "${BENCH_INSTR:-some}" in
	0) echo "—"; return ;;
	all) ;;
	*) case "$name" in single | single-long | version) ;; *) echo "—"; return ;; esac ;;
	esac
	if ! have valgrind; then
		echo "—"
		return
	fi
	# The count is informational: a run valgrind cannot finish (its VEX
	# lacks RDTSCP, which the Go runtime's lock spinning may execute
	# under contention: SIGILL) is tried again, then reported as "—",
	# never as a partial count and never as a failure of the script.
	local try log
	log=$(mktemp)
	for try in 1 2 3; do
		if GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null 2>"$log"; then
			awk '/refs:/ { gsub(/,/, "", $NF); printf "%.1f", $NF / 1e6; found = 1 } END { if (!found) printf "—" }' "$log"
			rm -f "$log"
			return
		fi
	done
	rm -f "$log"
	echo "—"
}

# gen NAME ARGS...: generates bench/out/trees/NAME; prints its linted file count.
gen() {
	local name=$1
	shift
	local dir="$out/trees/$name"
	rm -rf "$dir"
	"$out/gentree" "$@" -out "$dir" -manifest "$out/$name.manifest.json" >"$out/$name.gen.txt"
	sed -n 's/.* linted=\([0-9]*\).*/\1/p' "$out/$name.gen.txt"
}

# wall SECONDS-STRING from /usr/bin/time -v's "h:mm:ss" or "m:ss.cc" to ms.
wall_ms() {
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s * 1000 }' <<<"$1"
}

# measure ID LABEL FILES TARGET_MS TARGET_MIB WORKDIR RESET CMD...
# ID names the output files; RESET is a script run before every run ("" for
# none); CMD runs in WORKDIR.
measure() {
	local name=$1 label=$2 files=$3 tms=$4 tmib=$5 wd=$6 reset=$7
	shift 7
	local note="" median rss="n/a"
	echo "bench: $label ($files files)" >&2
	[ -n "$reset" ] && bash "$reset"
	# One run under /usr/bin/time -v: peak RSS, and a probe of the time.
	local probe_ms="" status=0
	if [ -x /usr/bin/time ]; then
		(cd "$wd" && /usr/bin/time -v -o "$out/$name.time.txt" "$@" >"$out/$name.report.json" 2>"$out/$name.stderr") || status=$?
		if [ "$status" = 0 ]; then
			rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$out/$name.time.txt")
			probe_ms=$(wall_ms "$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$out/$name.time.txt")")
		fi
	else
		local t0 t1
		t0=$(date +%s%N)
		(cd "$wd" && "$@" >"$out/$name.report.json" 2>"$out/$name.stderr") || status=$?
		t1=$(date +%s%N)
		probe_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
		note="no /usr/bin/time"
	fi
	if [ "$status" != 0 ]; then
		echo "bench: $name: decouple exited $status" >&2
		cat "$out/$name.stderr" >&2
		exit 1
	fi
	if ! have hyperfine; then
		median=$probe_ms note="${note:+$note; }1 run, no hyperfine"
	elif awk -v p="$probe_ms" -v s="$slow" 'BEGIN { exit !(p > s * 1000) }'; then
		# Ten runs of a multi-minute scenario would take an hour.
		median=$probe_ms note="${note:+$note; }1 run: slower than ${slow} s"
	else
		local args=(-N --style basic --warmup "$warmup" --runs "$runs" --export-json "$out/$name.hyperfine.json")
		[ -n "$reset" ] && args+=(--prepare "bash $reset")
		(cd "$wd" && hyperfine "${args[@]}" "$*" >"$out/$name.hyperfine.txt" 2>&1) || {
			cat "$out/$name.hyperfine.txt" >&2
			exit 1
		}
		median=$(awk -F': ' '/"median"/ { gsub(/[ ,]/, "", $2); printf "%.1f", $2 * 1000; exit }' "$out/$name.hyperfine.json")
	fi
	local count
	[ -n "$reset" ] && bash "$reset"
	count=$(cd "$wd" && instr "$name" "$@")
	local target="" result="—"
	if [ -n "$tms" ]; then
		target="≤$(awk -v t="$tms" 'BEGIN { if (t >= 1000) printf "%g s", t / 1000; else printf "%g ms", t }')"
		result=pass
		awk -v m="$median" -v t="$tms" 'BEGIN { exit !(m > t) }' && result=MISS
	fi
	if [ -n "$tmib" ]; then
		target="${target:+$target, }≤$tmib MiB"
		[ "$result" = "—" ] && result=pass
		[ "$rss" != "n/a" ] && awk -v r="$rss" -v t="$tmib" 'BEGIN { exit !(r > t) }' && result=MISS
	fi
	# The one-project targets are also relative: at most 1.5x the start.
	if [ "$name" = version ]; then
		version_ms=$median
	elif [ "$name" = single ] || [ "$name" = single-long ] && [ -n "${version_ms:-}" ]; then
		note="${note:+$note; }$(awk -v m="$median" -v v="$version_ms" 'BEGIN { printf "%.2fx version", m / v }')"
		awk -v m="$median" -v v="$version_ms" 'BEGIN { exit !(m > 1.5 * v) }' && result=MISS
	fi
	[ -n "$note" ] && result="$result ($note)"
	echo "| $label | $files | $median | $rss | $count | ${target:-—} | $result |" >>"$table"
}

lintcmd=("$bin" lint --format json --fail-on never)

if [ "$smoke" = 1 ]; then
	nc=5 nd=5 sizes=(20 40 100)
else
	nc=500 nd=500 sizes=(1000 2000 5000)
fi

# Process start, what every run pays before reading a file: the
# one-project targets are held against it (at most 1.5 times as long).
measure version "decouple version (process start)" 0 "" "" "$out" "" "$bin" version

n=$(gen single -single)
measure single "one compose file + its Dockerfile" "$n" 10 "" "$out/trees/single" "" "${lintcmd[@]}" .

n=$(gen "compose-$nc" -seed 1 -compose "$nc" -dockerfiles 0)
composeFiles=$n
measure "compose-$nc" "$nc compose files + their Dockerfiles" "$n" 500 "" "$out/trees/compose-$nc" "" "${lintcmd[@]}" .

# The same scenarios on long-tail trees (gentree -long-tail: labels,
# env_file, secrets, long ports, ... at the rates of files written by
# others), side by side with the generator's own trees above.
n=$(gen single-long -single -long-tail)
measure single-long "one compose file + its Dockerfile, long tail" "$n" 10 "" "$out/trees/single-long" "" "${lintcmd[@]}" .

n=$(gen "compose-long-$nc" -seed 1 -compose "$nc" -dockerfiles 0 -long-tail)
measure "compose-long-$nc" "$nc long-tail compose files + their Dockerfiles" "$n" 800 200 "$out/trees/compose-long-$nc" "" "${lintcmd[@]}" .

# dclint (npx dclint@3.1.0, from the npm registry) on the compose files of
# the same long-tail tree, one run, as a ratio: set DCLINT=0 to skip it.
if [ "${DCLINT:-1}" != 0 ] && have npx && [ "$smoke" = 0 ]; then
	echo "bench: dclint on compose-long-$nc" >&2
	dtree="$out/trees/compose-long-$nc"
	t0=$(date +%s%N)
	(cd "$dtree" && npx --yes dclint@3.1.0 -r . >"$out/dclint.txt" 2>&1) || true
	t1=$(date +%s%N)
	dms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
	ours=$(awk -F'|' -v l="$nc long-tail compose files + their Dockerfiles" 'index($2, l) { gsub(/ /, "", $4); print $4 }' "$table")
	ratio=$(awk -v d="$dms" -v o="$ours" 'BEGIN { if (o > 0) printf "%.0fx", d / o; else print "n/a" }')
	echo "| dclint 3.1.0 on the compose files of compose-long-$nc (1 run) | $nc | $dms | n/a | — | — | decouple is $ratio faster |" >>"$table"
fi

n=$(gen "dockerfiles-$nd" -seed 2 -compose 0 -dockerfiles "$nd")
dockerfileFiles=$n
measure "dockerfiles-$nd" "$nd Dockerfiles alone" "$n" 250 "" "$out/trees/dockerfiles-$nd" "" "${lintcmd[@]}" .

last=${sizes[${#sizes[@]} - 1]}
for size in "${sizes[@]}"; do
	n=$(gen "files-$size" -seed 3 -files "$size")
	if [ "$size" = "$last" ]; then
		measure "files-$size" "$size files" "$n" 5000 200 "$out/trees/files-$size" "" "${lintcmd[@]}" .
	else
		measure "files-$size" "$size files" "$n" "" "" "$out/trees/files-$size" "" "${lintcmd[@]}" .
	fi
done

# --fix rewrites the tree, so every run starts from a fresh copy.
for src in "compose-$nc:$composeFiles" "dockerfiles-$nd:$dockerfileFiles"; do
	tree=${src%%:*} n=${src##*:}
	reset="$out/reset-$tree.sh"
	# sync: the copy's dirty pages would otherwise be written out by --fix's
	# own sync barrier and counted against it.
	printf 'set -e\nrm -rf %q\ncp -a %q %q\nsync\n' "$out/trees/fix-$tree" "$out/trees/$tree" "$out/trees/fix-$tree" >"$reset"
	# Run from the trees folder: fixes must lie under the working folder.
	measure "fix-$tree" "--fix on a copy of the $tree tree" "$n" 2000 "" "$out/trees" "$reset" "$bin" lint --fix --format json --fail-on never "fix-$tree"
done

echo >&2
cat "$table"
