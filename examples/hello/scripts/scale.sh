#!/bin/sh
# Multiplies the value column of a CSV by a factor: scale.sh FACTOR IN.csv
awk -F, -v f="$1" 'NR == 1 { print; next } { printf "%s,%.4f\n", $1, $2 * f }' "$2"
