#!/bin/bash
# concat.sh - the dataset of a sharded run: its shards' outputs, in order.
#
# usage: concat.sh OUTPUT INPUT...
#
# Writes OUTPUT atomically.  When OUTPUT and every INPUT are zstd (or every
# one gzip), the compressed files are concatenated as they are: a sequence
# of frames (members) is a valid .zst (.gz) that decompresses to the
# concatenation.  Otherwise the records are decompressed and written again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../stages/lib.sh"
CS_USAGE="usage: concat.sh OUTPUT INPUT..."
[ $# -ge 2 ] || cs_usage_error "needs OUTPUT and INPUT..."
out=$1
shift
cs_inputs_exist "$@"
same=1
for f; do
	[ "${f##*.}" = "${out##*.}" ] || same=0
done
case $out in *.zst|*.gz) ;; *) same=0 ;; esac
mkdir -p "$(dirname "$out")"
tmp=$(dirname "$out")/.$(basename "$out").tmp.$$
cs_at_exit 'rm -f "$tmp"'
if [ "$same" = 1 ]; then
	cat -- "$@" > "$tmp"
	mv -f "$tmp" "$out"
else
	cs_cat "$@" | cs_write "$out"
fi
