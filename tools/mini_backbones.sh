#!/usr/bin/env bash
# Trains the mini plan's backbones, the tiny stand-ins for CLIP and Qwen, and writes them where the mini plan
# reads them: conf/mini/vision (config.json, model.safetensors) and conf/mini/llm (also tokenizer.json).
# The mini plan then loads them as the paper plan loads the downloaded checkpoints, without a warm-up stage.
# Usage (from the repository root): tools/mini_backbones.sh [WORK_DIR]   (default work/mini-backbones)
# Settings: the warmup section of conf/mini/training.json; seeds: the plan's seed and data.synthSeed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="${1:-work/mini-backbones}"
plan=workflows/mini.json
synth="$(sed -n 's/.*"synthSeed": *\([0-9][0-9]*\).*/\1/p' "$plan")"
if [[ -z "$synth" ]]; then echo "$plan has no data.synthSeed" >&2; exit 2; fi
rm -rf "$work"
./mapd data synth --seed "$synth" --out "$work/synthetic"
./mapd data prepare --plan "$plan" --datasets "$work/synthetic" --out "$work/prepared"
./mapd train warmup --plan "$plan" --prepared "$work/prepared" --out "$work/warmup"
cp "$work"/warmup/vision/{config.json,model.safetensors} conf/mini/vision/
cp "$work"/warmup/llm/{config.json,model.safetensors,tokenizer.json} conf/mini/llm/
echo "wrote conf/mini/vision and conf/mini/llm from $work/warmup"
