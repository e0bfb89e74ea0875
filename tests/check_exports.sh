#!/bin/sh
# Checks what libreflect.so exports (its dynamic symbol table, demangled): nothing of
# reflect::dwarf, no reflect::detail symbol but those EXPORTS lists, and every symbol EXPORTS
# lists. The library is built with hidden visibility and exports what the public headers mark
# REFLECT_API (include/reflect/export.hpp); the reflect::detail symbols among them are the
# functions the headers' inline code and templates call.
#
# EXPORTS holds one demangled symbol a line, as `nm -D --defined-only -C` prints it without
# address and type (# starts a comment). A new detail:: function that the headers call goes
# there; an exported detail:: function they do not call is a REFLECT_API too many.
#
# usage: check_exports.sh NM LIBRARY EXPORTS
set -eu
nm=$1 library=$2 exports=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$nm" -D --defined-only -C "$library" | sed 's/^[0-9a-f]* [A-Za-z] //' | sort -u >"$work/exported"
sed -e 's/[[:space:]]*#.*//' -e '/^$/d' "$exports" | sort -u >"$work/listed"
count=$(wc -l <"$work/exported")
[ "$count" -gt 0 ] || { echo "FAIL: $nm found no exported symbols in $library"; exit 1; }
status=0

if grep -F 'reflect::dwarf::' "$work/exported" >"$work/dwarf"; then
  echo "FAIL: $library exports internals of reflect::dwarf:"
  sed 's/^/  /' "$work/dwarf"
  status=1
fi

grep -F 'reflect::detail::' "$work/exported" | grep -F -x -v -f "$work/listed" >"$work/detail" || true
if [ -s "$work/detail" ]; then
  echo "FAIL: $library exports reflect::detail symbols that $exports does not list:"
  sed 's/^/  /' "$work/detail"
  status=1
fi

grep -F -x -v -f "$work/exported" "$work/listed" >"$work/missing" || true
if [ -s "$work/missing" ]; then
  echo "FAIL: $library does not export these symbols of $exports:"
  sed 's/^/  /' "$work/missing"
  status=1
fi

if [ "$status" = 0 ]; then
  echo "ok: $library exports $count distinct names, none of reflect::dwarf, the reflect::detail ones listed in $exports, and all of $exports"
fi
exit "$status"
