#!/bin/sh
# debuginfod, opt-in only: a stripped copy of the split fixture program (no .gnu_debuglink, no
# debug file on disk) whose debug file a local stand-in server (debuginfod_server.py) serves by
# build-id, as a debuginfod server does. Checks that reflect prints exactly what the unstripped
# program prints when the servers come
#   A. from reflect::Options::debuginfod_urls, DEBUGINFOD_URLS unset
#   B. from DEBUGINFOD_URLS, set by the user, no option
# and that the server gets no request, and reflect throws its no-debug-info error naming the
# program, when
#   C. Options::debuginfod_urls is "" and DEBUGINFOD_URLS is set (the option wins)
#   D. neither is set
# Then reflect::Options::debuginfo_path, without a server:
#   E. the debug file by build-id under Options::debuginfo_path, REFLECT_DEBUGINFO_PATH unset
#   F. the same, with REFLECT_DEBUGINFO_PATH naming another directory (the option wins)
# The fixture passes FIXTURE_DEBUGINFOD_URLS / FIXTURE_DEBUGINFO_PATH to reflect::configure.
#
# usage: debuginfod.sh WORKDIR FIXTURE EXPECTED LIBDIR OBJCOPY STRIP READELF PYTHON SERVER
# Exits 77 (skipped) only without libdebuginfod.so.1 (tools/install-deps installs it; tools/test
# fails a skip that tests/allowed-skips.txt does not list).
set -eu
work=$1 fixture=$2 expected=$3 libdir=$4 objcopy=$5 strip=$6 readelf=$7 python=$8 server=$9

if ! "$python" -c 'import http.server' 2>/dev/null; then
  echo "FAIL: $python cannot import http.server, to serve the debug file"
  exit 1
fi
if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libdebuginfod\.so\.1 '; then
  echo "SKIP: no libdebuginfod.so.1 (apt-get install libdebuginfod1)"
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd -P)  # the module path reflect reports is the real path
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
# Nothing from the caller's environment: no servers, no debug path, no debuginfod cache or
# client settings. Each case gets a cache of its own, so a case never sees an earlier download.
unset REFLECT_DEBUGINFO_PATH DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH DEBUGINFOD_PROGRESS DEBUGINFOD_VERBOSE \
  FIXTURE_DEBUGINFOD_URLS FIXTURE_DEBUGINFO_PATH
export DEBUGINFOD_TIMEOUT=20

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The reference: the unstripped program, whose output is also checked against EXPECTED.
if ! "$fixture" >"$work/reference.txt" 2>"$work/reference-err.txt"; then
  cat "$work/reference-err.txt"
  echo "FAIL: the unstripped fixture failed"
  exit 1
fi
diff -u "$expected" "$work/reference.txt" >/dev/null || fail "the unstripped program's output differs from $expected"

# The stripped program, and its debug file where a debuginfod server keeps it.
# (The debug file stays out of the program's folder: libdwfl tries PROG.debug next to it.)
cp "$fixture" "$work/prog"
mkdir "$work/files"
"$objcopy" --only-keep-debug "$work/prog" "$work/files/prog.debug"
"$strip" "$work/prog"
if "$readelf" -S -W "$work/prog" | grep -q -E ' \.debug_info | \.gnu_debuglink '; then
  fail "the stripped program still has .debug_info or a .gnu_debuglink"
fi
build_id=$("$readelf" -n "$work/prog" | sed -n 's/^ *Build ID: *\([0-9a-f]*\).*/\1/p')
if [ -z "$build_id" ]; then
  echo "FAIL: the fixture has no build-id note"
  exit 1
fi
mkdir -p "$work/server/buildid/$build_id"
cp "$work/files/prog.debug" "$work/server/buildid/$build_id/debuginfo"

: >"$work/requests.log"
"$python" "$server" "$work/server" "$work/port" "$work/requests.log" 2>"$work/server-err.txt" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT INT TERM
tries=0
while [ ! -s "$work/port" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server-err.txt"
    echo "FAIL: the stand-in debuginfod server did not start"
    exit 1
  fi
  sleep 0.1
done
url="http://127.0.0.1:$(cat "$work/port")"
echo "server: $url, debug file at /buildid/$build_id/debuginfo"

requests_before=0
mark_requests() { requests_before=$(wc -l <"$work/requests.log"); }
new_requests() { tail -n +"$((requests_before + 1))" "$work/requests.log"; }

# Runs the stripped program in the environment with the extra VAR=VALUEs; it must print the
# reference, and the server must have been asked for its debug file.
fetches() {  # NAME [VAR=VALUE...]
  name=$1
  shift
  mark_requests
  out=$work/$(printf %s "$name" | cut -c1)
  mkdir -p "$out"
  if env DEBUGINFOD_CACHE_PATH="$out/cache" "$@" "$work/prog" >"$out/out.txt" 2>"$out/err.txt"; then
    if diff -u "$work/reference.txt" "$out/out.txt" >"$out/diff.txt"; then
      echo "ok: $name"
    else
      fail "$name: the output differs from the unstripped program's:"
      cat "$out/diff.txt"
    fi
  else
    fail "$name: exit status $?, stderr:"
    cat "$out/err.txt"
  fi
  new_requests | grep -q "GET /buildid/$build_id/debuginfo" || fail "$name: the server was not asked for the debug file"
}

# Runs the stripped program, which must fail with the no-debug-info error, having asked no server.
no_fetch() {  # NAME [VAR=VALUE...]
  name=$1
  shift
  mark_requests
  out=$work/$(printf %s "$name" | cut -c1)
  mkdir -p "$out"
  status=0
  env DEBUGINFOD_CACHE_PATH="$out/cache" "$@" "$work/prog" >"$out/out.txt" 2>"$out/err.txt" || status=$?
  message=$(cat "$out/err.txt")
  if [ -n "$(new_requests)" ]; then
    fail "$name: the server was asked:"
    new_requests
  fi
  if [ "$status" != 3 ]; then
    fail "$name: exit status $status, not 3 (a reflect::Error); stderr: $message"
    return
  fi
  for needle in "reflect: " "$work/prog" "-g" "debug package" "no debuginfod server was asked"; do
    case $message in
      *"$needle"*) ;;
      *) fail "$name: the error does not mention '$needle': $message" ;;
    esac
  done
  if [ -d "$out/cache" ]; then fail "$name: libdebuginfod created its cache"; fi
  echo "ok: $name ($message)"
}

fetches "A. servers from Options::debuginfod_urls, DEBUGINFOD_URLS unset" FIXTURE_DEBUGINFOD_URLS="$url"
fetches "B. servers from DEBUGINFOD_URLS, no option" DEBUGINFOD_URLS="$url"
no_fetch "C. Options::debuginfod_urls = \"\", DEBUGINFOD_URLS set" DEBUGINFOD_URLS="$url" FIXTURE_DEBUGINFOD_URLS=
no_fetch "D. neither the option nor DEBUGINFOD_URLS"

# E, F: Options::debuginfo_path, by build-id, no server involved.
prefix=$(printf %s "$build_id" | cut -c1-2)
rest=$(printf %s "$build_id" | cut -c3-)
mkdir -p "$work/debuginfo/.build-id/$prefix" "$work/elsewhere"
cp "$work/files/prog.debug" "$work/debuginfo/.build-id/$prefix/$rest.debug"
fetches_not() {  # NAME [VAR=VALUE...]: the reference output, and no request
  name=$1
  shift
  mark_requests
  out=$work/$(printf %s "$name" | cut -c1)
  mkdir -p "$out"
  if env "$@" "$work/prog" >"$out/out.txt" 2>"$out/err.txt" && diff -u "$work/reference.txt" "$out/out.txt"; then
    echo "ok: $name"
  else
    fail "$name: stderr:"
    cat "$out/err.txt"
  fi
  if [ -n "$(new_requests)" ]; then fail "$name: the server was asked"; fi
}
fetches_not "E. debug file by build-id under Options::debuginfo_path" FIXTURE_DEBUGINFO_PATH="$work/debuginfo"
fetches_not "F. Options::debuginfo_path over REFLECT_DEBUGINFO_PATH" FIXTURE_DEBUGINFO_PATH="$work/debuginfo" \
  REFLECT_DEBUGINFO_PATH="$work/elsewhere"

if [ "$failures" != 0 ]; then
  echo "$failures failure(s); files in $work"
  exit 1
fi
