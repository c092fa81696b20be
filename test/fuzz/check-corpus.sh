#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The generated seeds in the repository (corpus/<target>/gen-*) are exactly what
# the generator writes today: none missing, none stale, none extra.
#
#   check-corpus.sh MAKE_FUZZ_CORPUS CORPUS_DIR
set -euo pipefail
generator=${1:?usage: check-corpus.sh MAKE_FUZZ_CORPUS CORPUS_DIR}
corpus=${2:?usage: check-corpus.sh MAKE_FUZZ_CORPUS CORPUS_DIR}
fresh=$(mktemp -d "${TMPDIR:-/tmp}/tlp-tunnel-corpus.XXXXXX")
trap 'rm -rf "$fresh"' EXIT
"$generator" "$fresh"
status=0
for dir in "$fresh"/*/; do
    target=$(basename "$dir")
    committed=$(cd "$corpus/$target" 2>/dev/null && ls gen-* 2>/dev/null || true)
    generated=$(cd "$dir" && ls gen-*)
    if [ "$committed" != "$generated" ]; then
        echo "check-corpus.sh: $target: the seed files differ from the generator's:" >&2
        diff <(echo "$committed") <(echo "$generated") >&2 || true
        status=1
        continue
    fi
    for file in $generated; do
        if ! cmp -s "$dir/$file" "$corpus/$target/$file"; then
            echo "check-corpus.sh: $target/$file differs from the generator's output" >&2
            status=1
        fi
    done
done
[ $status -eq 0 ] && echo "check-corpus.sh: $(ls "$fresh"/*/gen-* | wc -l) generated seeds up to date"
exit $status
