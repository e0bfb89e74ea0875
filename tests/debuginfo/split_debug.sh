#!/bin/sh
# Separate debug files: strips copies of the split fixture program and checks that reflect
# prints exactly what the unstripped program prints when the debug file is
#   A. next to the binary, found through .gnu_debuglink        (strip -g)
#   B. in a .debug/ folder next to it, through .gnu_debuglink   (strip: no .symtab either)
#   C. at DIR/.build-id/xx/yyyy.debug with REFLECT_DEBUGINFO_PATH=DIR, no .gnu_debuglink (strip)
# and that a stripped binary whose debug file is nowhere fails with a reflect::Error naming
# the binary, -g and the debug package:
#   D. no debug file, no .gnu_debuglink (strip)
#   E. a .gnu_debuglink to a file that is not there (strip -g)
#   F. C's binary run without REFLECT_DEBUGINFO_PATH (C's success is the variable's doing)
#
# usage: split_debug.sh WORKDIR FIXTURE EXPECTED LIBDIR OBJCOPY STRIP READELF
# Everything is written under WORKDIR (in the build directory), which is recreated each run.
set -eu
work=$1 fixture=$2 expected=$3 libdir=$4 objcopy=$5 strip=$6 readelf=$7

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd -P)  # the module path reflect reports is the real path
# The copies are run from WORKDIR: they find libreflect.so through LD_LIBRARY_PATH, not the
# build's relative rpath. Debug files are found only where this script puts them.
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
unset REFLECT_DEBUGINFO_PATH DEBUGINFOD_URLS

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

has_section() {  # FILE SECTION
  "$readelf" -S -W "$1" | grep -q " $2 "
}

# A stripped copy of the fixture in DIR/prog, its debug info in DIR/prog.debug.
split() {  # DIR STRIP-ARGS...
  dir=$1
  shift
  mkdir -p "$dir"
  cp "$fixture" "$dir/prog"
  "$objcopy" --only-keep-debug "$dir/prog" "$dir/prog.debug"
  "$strip" "$@" "$dir/prog"
  if has_section "$dir/prog" .debug_info; then fail "$dir/prog still has .debug_info after strip $*"; fi
  has_section "$dir/prog.debug" .debug_info || fail "$dir/prog.debug has no .debug_info"
}

# Runs DIR/prog (in an environment with the extra VAR=VALUEs) and compares its output with the
# unstripped program's.
same_output() {  # NAME DIR [VAR=VALUE...]
  name=$1 dir=$2
  shift 2
  if env "$@" "$dir/prog" >"$dir/out.txt" 2>"$dir/err.txt"; then
    if diff -u "$work/reference.txt" "$dir/out.txt" >"$dir/diff.txt"; then
      echo "ok: $name"
    else
      fail "$name: the output differs from the unstripped program's:"
      cat "$dir/diff.txt"
    fi
  else
    fail "$name: exit status $?, stderr:"
    cat "$dir/err.txt"
  fi
}

# Runs DIR/prog, which must fail with reflect's no-debug-info error for DIR/prog.
no_debug_info() {  # NAME DIR
  status=0
  "$2/prog" >"$2/out.txt" 2>"$2/err.txt" || status=$?
  message=$(cat "$2/err.txt")
  if [ "$status" != 3 ]; then
    fail "$1: exit status $status, not 3 (a reflect::Error); stderr: $message"
    return
  fi
  for needle in "reflect: " "$2/prog" "-g" "debug package"; do
    case $message in
      *"$needle"*) ;;
      *) fail "$1: the error does not mention '$needle': $message" ;;
    esac
  done
  echo "ok: $1 ($message)"
}

# The reference: the unstripped program, whose output is also checked against EXPECTED.
if ! "$fixture" >"$work/reference.txt" 2>"$work/reference-err.txt"; then
  cat "$work/reference-err.txt"
  echo "FAIL: the unstripped fixture failed"
  exit 1
fi
if diff -u "$expected" "$work/reference.txt"; then
  echo "ok: the unstripped program prints $expected"
else
  fail "the unstripped program's output differs from $expected"
fi

# A. next to the binary
split "$work/A" -g
"$objcopy" --add-gnu-debuglink="$work/A/prog.debug" "$work/A/prog"
has_section "$work/A/prog" .symtab || fail "strip -g removed .symtab"
same_output "A. debug file next to the binary, by .gnu_debuglink" "$work/A"

# B. in .debug/ next to the binary
split "$work/B"
"$objcopy" --add-gnu-debuglink="$work/B/prog.debug" "$work/B/prog"
mkdir "$work/B/.debug"
mv "$work/B/prog.debug" "$work/B/.debug/prog.debug"
if has_section "$work/B/prog" .symtab; then fail "strip left .symtab"; fi
same_output "B. debug file in .debug/, by .gnu_debuglink, no .symtab in the binary" "$work/B"

# C. by build-id under REFLECT_DEBUGINFO_PATH
split "$work/C"
build_id=$("$readelf" -n "$work/C/prog" | sed -n 's/^ *Build ID: *\([0-9a-f]*\).*/\1/p')
if [ -z "$build_id" ]; then
  fail "C: the fixture has no build-id note"
else
  prefix=$(printf %s "$build_id" | cut -c1-2)
  rest=$(printf %s "$build_id" | cut -c3-)
  mkdir -p "$work/C/debuginfo/.build-id/$prefix"
  mv "$work/C/prog.debug" "$work/C/debuginfo/.build-id/$prefix/$rest.debug"
  if has_section "$work/C/prog" .gnu_debuglink; then fail "C: the binary has a .gnu_debuglink"; fi
  same_output "C. debug file by build-id under REFLECT_DEBUGINFO_PATH ($prefix/$rest.debug)" "$work/C" \
    REFLECT_DEBUGINFO_PATH="$work/C/debuginfo"
  # F. the same binary, without the variable
  no_debug_info "F. the build-id debug file, without REFLECT_DEBUGINFO_PATH" "$work/C"
fi

# D. no debug file at all
split "$work/D"
rm "$work/D/prog.debug"
no_debug_info "D. stripped, no debug file" "$work/D"

# E. a .gnu_debuglink to a missing file
split "$work/E" -g
"$objcopy" --add-gnu-debuglink="$work/E/prog.debug" "$work/E/prog"
rm "$work/E/prog.debug"
no_debug_info "E. stripped, .gnu_debuglink to a missing file" "$work/E"

if [ "$failures" != 0 ]; then
  echo "$failures failure(s); files in $work"
  exit 1
fi
