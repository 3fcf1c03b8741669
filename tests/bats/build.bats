#!/usr/bin/env bats
# The build: install layout, man pages, warnings policy.
bats_require_minimum_version 1.5.0
load helpers

@test "build: make install puts programs, man pages and data under DESTDIR/PREFIX" {
	run make -s -C "$TOP" install-only BIN="$CODESIFT_BIN" PREFIX=/opt/cs DESTDIR="$BATS_TEST_TMPDIR/root"
	[ "$status" -eq 0 ]
	r=$BATS_TEST_TMPDIR/root/opt/cs
	[ -x "$r/bin/dedup-exact" ]
	[ -f "$r/share/man/man1/dedup-exact.1" ]
	[ -f "$r/share/man/man7/codesift.7" ]
	[ -d "$r/share/codesift" ]
	[ ! -e "$r/share/codesift/debian-packages.txt" ]
	# every program has its man page, and it renders
	for p in "$r"/bin/*; do
		n=$(basename "$p")
		[ -f "$r/share/man/man1/$n.1" ]
		MANWIDTH=80 man -l "$r/share/man/man1/$n.1" > /dev/null
	done
	run "$r/bin/dedup-exact" --version
	[ "$status" -eq 0 ]
}

@test "build: every program answers --help and --version" {
	for p in "$CODESIFT_BIN"/*; do
		run "$p" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: $(basename "$p")"* ]]
		run "$p" --version
		[ "$status" -eq 0 ]
	done
}
