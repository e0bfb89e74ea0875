#!/bin/sh
# No test case depends on what ran before it in its process. For each doctest BINARY: the whole
# binary in a random order, then each of its test cases alone (-tc=NAME). Test cases that need a
# cold process get one of their own (tests/fresh_process.hpp); these runs check that nothing
# else leans on the order.
#
# The seed is REFLECT_TEST_SEED when set, else the time, and is printed: to replay an order,
#   REFLECT_TEST_SEED=N meson test -C BUILD TEST    or    BINARY --order-by=rand --rand-seed=N
#
# usage: test_order.sh BINARY...
set -eu
seed=${REFLECT_TEST_SEED:-$(date +%s)}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  cat "$log"
  failures=$((failures + 1))
}

for binary in "$@"; do
  if "$binary" --order-by=rand --rand-seed="$seed" >"$log" 2>&1; then
    echo "ok: $binary --order-by=rand --rand-seed=$seed"
  else
    fail "$binary --order-by=rand --rand-seed=$seed"
  fi

  # doctest lists the names between two lines of '=', then how many there are.
  "$binary" --list-test-cases >"$log" 2>&1
  names=$(awk '/^=+$/ && length($0) > 20 { section++; next } section == 1' "$log")
  listed=$(sed -n 's/.*passing the current filters: *\([0-9]*\).*/\1/p' "$log")
  count=$(printf '%s\n' "$names" | grep -c . || true)
  if [ -z "$listed" ] || [ "$count" != "$listed" ] || [ "$count" = 0 ]; then
    fail "$binary --list-test-cases: read $count names, doctest says ${listed:-nothing}"
    continue
  fi
  alone=0
  while IFS= read -r name; do
    # In a filter, ',' and '\' are escaped with '\'; '*' cannot be: '?' (any one character)
    # stands for it, and doctest's summary must say exactly one test case ran.
    filter=$(printf '%s' "$name" | sed 's/\\/\\\\/g; s/,/\\,/g; s/\*/?/g')
    if "$binary" "-tc=$filter" >"$log" 2>&1 && grep -Eq 'test cases: *1 \| *1 passed' "$log"; then
      alone=$((alone + 1))
    else
      fail "$binary -tc='$filter' (the test case alone)"
    fi
  done <<EOF
$names
EOF
  echo "$alone of $count test cases of $binary passed alone"
done

if [ "$failures" != 0 ]; then
  echo "$failures failure(s); seed $seed"
  exit 1
fi
