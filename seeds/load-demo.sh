#!/bin/sh
# load-demo.sh TECHMATCH DB: loads the demo listings of seeds/demo into DB through
# `techmatch import`, one file per organisation as seeds/demo/manifest.tsv lists them.
# Used by `make run` on an empty database.
set -eu
bin=$1
db=$2
dir=$(dirname "$0")/demo
tab=$(printf '\t')
while IFS="$tab" read -r file kind org; do
    [ -n "$file" ] || continue
    "$bin" import "$kind" "$dir/$file" --org "$org" --create-org --db "$db"
done < "$dir/manifest.tsv"
