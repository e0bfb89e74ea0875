#!/bin/sh
# `reflect coro-frames` on a test binary of the matrix: every coroutine of fixtures/coro.cpp is
# listed once, largest frame first, with its members. clang-19 -O2 describes no frames, and
# the tool says why.
#   check_coro_frames.sh TOOL BINARY EXPECT_FRAMES(yes|no)
set -eu
tool=$1 binary=$2 expect=$3
out=$("$tool" coro-frames --members 2 "$binary")
echo "$out"
if [ "$expect" = no ]; then
  echo "$out" | grep -q "^$binary: 0 coroutine frames$"
  echo "$out" | grep -q "LLVM issue 121092"
  exit 0
fi
for coroutine in 'app::leaf(int)' 'app::middle(int)' 'app::top()' 'app::job_leaf(std::string)' \
                 'app::job_root(int)' 'app::counter(int)' 'app::finished()' 'app::stepper(int)' \
                 'app::linked_leaf(int)' 'app::linked_root()'; do
  n=$(echo "$out" | grep -cF " bytes  $coroutine")
  [ "$n" = 1 ] || { echo "expected $coroutine listed once, found $n times"; exit 1; }
done
# Frame sizes never grow down the list; each frame shows its two largest members.
echo "$out" | awk '/ bytes  / { if (seen && $1 > last) { print "not sorted at: " $0; exit 1 } last = $1; seen = 1 }'
frames=$(echo "$out" | grep -c ' bytes  ')
[ "$(echo "$out" | grep -c ', at +')" = $((2 * frames)) ] || { echo "expected 2 members per frame"; exit 1; }
echo "$out" | grep -q 'label.* (std::string, at +'
