#!/bin/sh
# Split DWARF: checks that FIXTURE really is built with -gsplit-dwarf (its executable has a
# skeleton unit and none of its types, its .dwo has them), that it passes its own checks, and
# that MISSING (the same program, built apart) fails with a reflect::Error naming its .dwo
# once that is deleted.
#
# usage: dwo_check.sh FIXTURE MISSING READELF
set -eu
fixture=$1 missing=$2 readelf=$3
unset REFLECT_DEBUGINFO_PATH DEBUGINFOD_URLS
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Meson keeps a target's objects (and so its .dwo files) in EXE.p/.
dwo=$(find "$fixture.p" -name 'dwo_fixture*.dwo' | head -n 1)
[ -n "$dwo" ] || { echo "FAIL: no .dwo in $fixture.p: not built with -gsplit-dwarf"; exit 1; }
# (-wN: readelf would follow the skeleton to the .dwo and show its DIEs too.)
info=$("$readelf" --debug-dump=info -wN "$fixture" 2>/dev/null)
case $info in
  *DW_TAG_skeleton_unit* | *DW_AT_GNU_dwo_name*) echo "ok: the executable has skeleton units" ;;
  *) fail "the executable has no skeleton unit" ;;
esac
case $info in
  *DwoConfig*) fail "the executable describes dwo::DwoConfig itself (full DWARF, not split)" ;;
  *) ;;
esac
case $("$readelf" --debug-dump=info "$dwo" 2>/dev/null) in
  *DwoConfig*) echo "ok: $dwo describes dwo::DwoConfig" ;;
  *) fail "$dwo does not describe dwo::DwoConfig" ;;
esac

"$fixture" || fail "the fixture failed (exit status $?)"

# The copy built apart: its .dwo deleted (its own, no other target reads it).
find "$missing.p" -name 'dwo_fixture*.dwo' -exec rm -f {} +
status=0
"$missing" >/dev/null 2>"$missing.err" || status=$?
message=$(cat "$missing.err")
if [ "$status" != 3 ]; then
  fail "without its .dwo: exit status $status, not 3 (a reflect::Error); stderr: $message"
else
  for needle in "reflect: " "dwo_fixture.cpp.dwo" "missing" "keep the .dwo files" "rebuild"; do
    case $message in
      *"$needle"*) ;;
      *) fail "without its .dwo: the error does not mention '$needle': $message" ;;
    esac
  done
  echo "ok: without its .dwo ($message)"
fi

if [ "$failures" != 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
