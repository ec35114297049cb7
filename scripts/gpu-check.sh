#!/usr/bin/env bash
# The one-command GPU check: on a fresh machine with a GPU and this repository, builds
# what is needed and runs `webgrad bench` on WebGPU with the sizes that matter on a GPU
# (matmul up to 4096, the MLP products and training step at large batches, elementwise
# ops and reductions up to 16M elements, the convolution, the GPT's training step and
# generation, the CNN's step, MLP fit, the seed example), TF.js on the same adapter
# beside it. Aims at about 5 minutes (the budget is 240 s of timing, plus the build).
#
#   scripts/gpu-check.sh [OUT_DIR] [-- more webgrad bench options]
#
# OUT_DIR (default docs/bench/gpu-<UTC date>/) gets bench.log (everything printed,
# with the machine, the adapter search and the load), report.json, chart.svg and
# report.md (the markdown section for docs/benchmarks.md). Options after `--` are
# appended to the bench command and win over the ones here, e.g. a short trial:
#   scripts/gpu-check.sh /tmp/gpu -- --sizes 64,256 --ops matmul,gpt --budget 20
# Dawn flags: --dawn-flag backend=vulkan (after --), or WEBGRAD_DAWN_FLAGS.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="docs/bench/gpu-$(date -u +%Y-%m-%d)"
if [[ $# -gt 0 && "$1" != "--" ]]; then out="$1"; shift; fi
if [[ $# -gt 0 && "$1" == "--" ]]; then shift; fi
cd "$root"
mkdir -p "$out"
log="$out/bench.log"
started=$(date +%s)

{
  echo "# webgrad GPU check, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "machine: $(uname -srm), $(nproc) cores; node $(node --version 2>/dev/null || echo missing)"
  if command -v nvidia-smi > /dev/null; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/GPU: /'; fi
  echo "load: $(uptime)"
} | tee "$log"

if ! command -v node > /dev/null; then
  echo "gpu-check: node (>= 20) is needed; install it first (e.g. from nodejs.org)" | tee -a "$log" >&2
  exit 1
fi
if [[ ! -d node_modules ]]; then
  echo "## npm ci" | tee -a "$log"
  npm ci --no-audit --no-fund 2>&1 | tail -5 | tee -a "$log"
fi
echo "## npm run build" | tee -a "$log"
npm run build --silent 2>&1 | tail -5 | tee -a "$log"

echo "## webgrad info --verbose (the adapter search)" | tee -a "$log"
node dist/cli.js info --verbose 2>&1 | tee -a "$log" || true

echo "## webgrad bench" | tee -a "$log"
set +e
node dist/cli.js bench --backends webgpu \
  --ops matmul,mlp,elementwise,reduce,conv2d,train,models \
  --sizes 256,512,1024,2048,4096 --batch-sizes 128,1024,4096 --mlp 784,1024,1024,10 \
  --elements 65536,1048576,4194304,16777216 --new-tokens 64 --budget 240 \
  --json "$out/report.json" --chart "$out/chart.svg" --markdown "$out/report.md" \
  "$@" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
set -e
echo "## done in $(( $(date +%s) - started )) s, exit code $status; load: $(uptime)" | tee -a "$log"
echo "wrote $log, $out/report.json, $out/chart.svg, $out/report.md"
exit "$status"
