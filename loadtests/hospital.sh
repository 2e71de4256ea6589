#!/usr/bin/env bash
# Prints a benchmark hospital file (the format of deploy/hospital.example.json) of WARDS wards, 20
# to a floor, each of 12 rooms of 2 beds, one nurse-station screen and 2 nurses: the shape of a
# real hospital, where each call concerns one ward's few screens, unlike the demo's 6 wards.
#
#   loadtests/hospital.sh 400 > hospital-400.json
set -euo pipefail
wards=${1:?usage: loadtests/hospital.sh WARDS}
rooms=12
nurses=2
per_floor=20

printf '{\n  "floors": [\n'
for ((w = 1; w <= wards; w++)); do
  floor=$(((w - 1) / per_floor))
  if (((w - 1) % per_floor == 0)); then
    ((w > 1)) && printf '\n      ]\n    },\n'
    printf '    {\n      "name": "Bench floor %d",\n      "level": %d,\n      "wards": [\n' "$floor" "$floor"
  else
    printf ',\n'
  fi
  printf '        { "name": "Bench %d", "department": "Bench %d", "stations": ["Bench %d desk"], "rooms": [' "$w" "$floor" "$w"
  for ((r = 1; r <= rooms; r++)); do
    ((r > 1)) && printf ','
    printf '{ "name": "B%d-%02d", "beds": ["A", "B"] }' "$w" "$r"
  done
  printf '] }'
done
printf '\n      ]\n    }\n  ],\n  "staff": [\n'
for ((w = 1; w <= wards; w++)); do
  for ((n = 1; n <= nurses; n++)); do
    ((w > 1 || n > 1)) && printf ',\n'
    printf '    { "username": "bench-%d-%d", "name": "Bench nurse %d-%d", "role": "nurse", "ward": "Bench %d" }' "$w" "$n" "$w" "$n" "$w"
  done
done
printf '\n  ]\n}\n'
