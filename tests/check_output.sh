#!/bin/sh
# Runs PROGRAM, which must exit with status 0, and diffs its standard output against EXPECTED.
# Addresses (heap and stack pointers, functions' addresses: 0x55d0c4e2eeb0) change from run to
# run, so before the diff every hexadecimal number written 0x... is replaced by "0x…" on both
# sides (sed: s/0x[0-9a-f]+/0x…/g). The lines that hold them are still compared, and EXPECTED may
# spell such an address as "0x…".
#
# usage: check_output.sh PROGRAM EXPECTED
set -eu
program=$1 expected=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
"$program" >"$work/out" || status=$?
if [ "$status" != 0 ]; then
  cat "$work/out"
  echo "FAIL: $program exited with status $status"
  exit 1
fi
mask='s/0x[0-9a-f]\{1,\}/0x…/g'
sed "$mask" "$expected" >"$work/expected"
sed "$mask" "$work/out" >"$work/actual"
if diff -u --label "$expected" --label "$program (addresses masked)" "$work/expected" "$work/actual"; then
  echo "ok: $program prints $expected"
else
  echo "FAIL: the output of $program differs from $expected (above; its unmasked output below)"
  cat "$work/out"
  exit 1
fi
