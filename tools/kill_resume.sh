#!/usr/bin/env bash
# Measures crash-and-resume on a finished mini run: deletes the MAPD finetune and evaluation stages, starts
# `mapd reproduce` again, kills it with -9 right after the MAPD checkpoint at step 50, reruns it, and compares
# the final loss and MAPD results.json with those of the uninterrupted run.
# Usage (from the repository root): tools/kill_resume.sh WORK_DIR [PLAN]
# It kills every `mapd reproduce` of this user on the machine: run nothing else meanwhile.
set -uo pipefail
work="$1"; plan="${2:-workflows/mini.json}"; ref="$(mktemp -d)"
cp "$work"/stages/evaluate-mapd-*/results.json "$ref/results.json"
cp "$work"/stages/finetune-mapd-*/DONE.json "$ref/DONE.json"
rm -rf "$work"/stages/finetune-mapd-* "$work"/stages/evaluate-mapd-*
./mapd reproduce --plan "$plan" --work "$work" > "$ref/killed.log" 2>&1 &
until ls -d "$work"/stages/finetune-mapd-*/checkpoints/step-0000050 > /dev/null 2>&1; do sleep 0.5; done
pkill -9 -f "org.mapd.cli.Main reproduce"
echo "killed with checkpoints: $(ls "$work"/stages/finetune-mapd-*/checkpoints | tr '\n' ' ')"
./mapd reproduce --plan "$plan" --work "$work" > "$ref/rerun.log" 2>&1
grep -m1 "resuming from" "$ref/rerun.log"
echo "stages reused: $(grep -c ': reused ' "$ref/rerun.log")"
diff <(grep finalLoss "$ref/DONE.json") <(grep finalLoss "$work"/stages/finetune-mapd-*/DONE.json) && echo "same final loss"
cmp "$ref/results.json" "$work"/stages/evaluate-mapd-*/results.json && echo "MAPD results.json byte-identical"
