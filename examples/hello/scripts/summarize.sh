#!/bin/sh
# Averages the fold means found under a directory: summarize.sh DIR
cat "$1"/*/metrics.json | awk -F'[:,}]' '{ s += $2; n++ } END { printf "{\"cv_mean\": %.6f, \"folds\": %d}\n", s / n, n }'
