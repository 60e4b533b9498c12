#!/usr/bin/env bash
# A chaos run: runs a plan while killing it with -9 at seeded random moments, restarting it each time, then
# compares every stage's results.json and the report's numbers with an uninterrupted run of the same plan.
#
#   tools/chaos.sh [--seed N] [--kills N] [--plan FILE] [--ref DIR] OUT_DIR
#
# OUT_DIR/ref holds the uninterrupted run (or --ref DIR, a finished work folder of the same code and plan),
# OUT_DIR/chaos the killed one, OUT_DIR/logs one log per life of the process and OUT_DIR/summary.txt the figures.
# A kill lands a seeded random number of seconds after a start, or, the first time a stage kind starts, 0 to 1 s
# after its start line (so that stages of a few seconds are killed too, also after the --kills random ones, until
# each of the 7 kinds was killed once); while kills go by without a stage being
# published, the window grows (x1.5), so a stage without checkpoints (PrepareData) still finishes between
# kills; after a life that published one it is short again. After --kills kills the run is left to finish. It kills only the processes it started, by their id.
# Set MAPD_THREADS / MAPD_HEAP as for ./mapd on a shared machine.
set -uo pipefail
seed=13; kills=20; plan=workflows/mini.json; ref=""
while [[ $# -gt 1 ]]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --plan) plan="$2"; shift 2 ;;
    --ref) ref="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out="${1:?usage: tools/chaos.sh [--seed N] [--kills N] [--plan FILE] [--ref DIR] OUT_DIR}"
cd "$(dirname "$0")/.."
mkdir -p "$out/logs"
out="$(cd "$out" && pwd)"
summary="$out/summary.txt"
RANDOM=$seed
# Build first (./mapd builds when the sources are newer), so that no kill lands on Maven instead of the run.
./mapd --help > /dev/null 2>&1 || { echo "./mapd does not build" >&2; exit 1; }

if [[ -z "$ref" ]]; then
  ref="$out/ref"
  if ! ls "$ref"/runs/chaos-ref/report/results.json > /dev/null 2>&1; then
    echo "uninterrupted run into $ref ..." >&2
    start=$SECONDS
    ./mapd reproduce --plan "$plan" --work "$ref" --id chaos-ref > "$out/logs/ref.log" 2>&1 || {
      echo "the uninterrupted run failed; see $out/logs/ref.log" >&2; exit 1; }
    echo "uninterrupted run: $((SECONDS - start)) s" | tee -a "$summary"
  fi
fi
work="$out/chaos"
published() { ls -d "$work"/stages/*/DONE.json 2> /dev/null | wc -l; }
running() { ls -d "$work"/attempts/*/attempt-* 2> /dev/null | sed 's|.*/attempts/||; s|-[0-9a-f]\{12\}/.*||' | sort -u | tr '\n' ' '; }

window=20   # seconds: a kill lands in [3, window] after a start
life=0; done_kills=0; start=$SECONDS; killed_kinds=""
: > "$out/kills.txt"
while true; do
  life=$((life + 1))
  before=$(published)
  (exec ./mapd reproduce --plan "$plan" --work "$work" --id chaos > "$out/logs/life-$life.log" 2>&1) &
  pid=$!
  # After --kills kills, only a stage kind never killed yet (AverageParameters and Report come last) is aimed at.
  if [[ $done_kills -lt $kills ]] || [[ $(echo $killed_kinds | wc -w) -lt 7 ]]; then
    delay=$((3 + RANDOM % (window - 2)))
    [[ $done_kills -ge $kills ]] && delay=100000
    # Ticks of 0.2 s. A stage kind not killed yet that starts in this life is killed 0 to 1 s after its start
    # line, so that the kinds lasting seconds (PrepareData, Pretrain, AverageParameters, Report) are hit too;
    # otherwise the kill lands at the random delay.
    ticks=0; target=""
    while [[ $ticks -lt $((delay * 5)) ]] && kill -0 "$pid" 2> /dev/null; do
      sleep 0.2; ticks=$((ticks + 1))
      fresh=$(grep -o '^start  [A-Za-z]*' "$out/logs/life-$life.log" 2> /dev/null | awk '{print $2}' | sort -u \
        | grep -vxF -f <(printf '%s\n' $killed_kinds) | head -1)
      if [[ -n "$fresh" ]]; then target=$fresh; for _ in $(seq $((RANDOM % 6))); do sleep 0.2; done; break; fi
    done
    if kill -0 "$pid" 2> /dev/null && [[ "$(ps -o comm= -p "$pid")" == java ]]; then
      stages=$(running)
      now=$(grep -o '^start  [A-Za-z]*' "$out/logs/life-$life.log" 2> /dev/null | tail -1 | awk '{print $2}')
      kill -9 "$pid"; wait "$pid" 2> /dev/null
      done_kills=$((done_kills + 1))
      k=${target:-$now}
      [[ -n "$k" && " $killed_kinds " != *" $k "* ]] && killed_kinds="$killed_kinds $k"
      echo "kill $done_kills after $((ticks / 5))s in life $life, last started: ${now:-(none yet)}${target:+ (aimed at $target)}, running: ${stages:-(none yet)}" \
        | tee -a "$out/kills.txt" >&2
      # No stage published in this life: give the next one longer. One was: back to short lives, so that the
      # short stages (Pretrain, a Finetune, AverageParameters) get killed too.
      if [[ $(published) -eq $before ]]; then window=$((window * 3 / 2)); else window=20; fi
      continue
    fi
  fi
  wait "$pid"; rc=$?
  [[ $rc -eq 0 ]] && break
  echo "life $life ended with exit code $rc without a kill; see $out/logs/life-$life.log" >&2
  exit 1
done
echo "chaos run: $((SECONDS - start)) s, $life lives, $done_kills kills" | tee -a "$summary"

# What was killed, by stage kind, and how often a stage continued from a previous attempt.
echo "kills by the stage kind last started: $(grep -o 'last started: [A-Za-z(]*' "$out/kills.txt" | awk '{print $3}' \
  | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')" | tee -a "$summary"
echo "kills by running stage kind: $(grep -o 'running: .*' "$out/kills.txt" | sed 's/^running: //; s/(none yet)//' | tr ' ' '\n' \
  | grep -v '^$' | sed 's/-.*//' | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')" | tee -a "$summary"
echo "attempts that continued from a previous attempt's files: $(cat "$out"/logs/life-*.log | grep -c 'continues in .*(files of')" \
  | tee -a "$summary"
echo "training resumed from a checkpoint: $(cat "$out"/logs/life-*.log | grep -c 'resuming from')" | tee -a "$summary"

# Every stage's results.json (folders are matched by stage name: their hashes contain the work folder's path)
# and the report's numbers (without wall times).
mismatches=0; compared=0
for r in "$ref"/stages/*/results.json; do
  name=$(basename "$(dirname "$r")"); name=${name%-*}
  c=$(ls "$work"/stages/"$name"-*/results.json 2> /dev/null | head -1)
  compared=$((compared + 1))
  if [[ -z "$c" ]] || ! cmp -s "$r" "$c"; then echo "differs: $name" | tee -a "$summary"; mismatches=$((mismatches + 1)); fi
done
numbers() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("stage_seconds", None); print(json.dumps(d, sort_keys=True))' "$1"; }
refreport=$(ls "$ref"/runs/*/report/results.json | head -1)
if [[ "$(numbers "$refreport")" == "$(numbers "$work/runs/chaos/report/results.json")" ]]; then
  echo "report numbers: identical" | tee -a "$summary"
else
  echo "report numbers: differ" | tee -a "$summary"; mismatches=$((mismatches + 1))
fi
echo "results.json compared: $compared, mismatches (including the report): $mismatches" | tee -a "$summary"
[[ $mismatches -eq 0 ]]
