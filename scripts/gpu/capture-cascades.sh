#!/usr/bin/env bash
# Real NCCL watchdog cascades on one GPU (scripts/gpu/cascade-one-gpu.py says how), captured in the
# launcher's run layout: console.log (torchrun --tee 3), logs/<id>/attempt_0/<rank>/{stdout,stderr}.log,
# nccl_trace_rank_<N> flight-recorder dumps. Then `lal explain` on each folder when $LAL is set.
# Usage (GPU box): OUT=/tmp/out [NODE=/tmp/node LAL=out/cli/lal.mjs] bash scripts/gpu/capture-cascades.sh [scenario...]
#   scenario: NAME:NPROC:STRAGGLER  (STRAGGLER a rank, or gpu)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/cascades}
mkdir -p "$OUT"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(straggler-rank0:4:0 straggler-middle:4:2 straggler-last:4:3 no-straggler-gpu:4:gpu straggler-last-5:5:4)
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "nccl", ".".join(map(str, torch.cuda.nccl.version())))' | tee "$OUT/versions.txt"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >>"$OUT/versions.txt" 2>&1
port=29611
for sc in "${scenarios[@]}"; do
  IFS=: read -r name nproc straggler <<<"$sc"
  run="$OUT/$name"
  rm -rf "$run"; mkdir -p "$run/logs"
  port=$((port + 1))
  start=$(date +%s%N)
  # The launcher's own NCCL defaults (electron/core/runs/plan.ts) plus NVLS off.
  NCCL_NVLS_ENABLE=0 NCCL_DEBUG=WARN TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC=300 TORCH_NCCL_TRACE_BUFFER_SIZE=2000 \
  TORCH_NCCL_DUMP_ON_TIMEOUT=1 TORCH_NCCL_DEBUG_INFO_TEMP_FILE="$run/nccl_trace_rank_" \
  timeout -s INT 170 torchrun --nnodes 1 --nproc_per_node "$nproc" --master_addr 127.0.0.1 --master_port "$port" \
    --max_restarts 0 --monitor_interval 1 --log_dir "$run/logs" --redirects 3 --tee 3 \
    scripts/gpu/cascade-one-gpu.py --straggler "$straggler" --timeout 10 >"$run/console.log" 2>&1
  rc=$?
  end=$(date +%s%N)
  echo "{\"name\":\"$name\",\"nproc\":$nproc,\"straggler\":\"$straggler\",\"exit\":$rc,\"ms\":$(( (end - start) / 1000000 ))}" | tee -a "$OUT/cascades.ndjson"
  if [ -n "${LAL:-}" ]; then
    "${NODE:-node}" "$LAL" explain "$run" --json >"$run/explain.json" 2>"$run/explain.err"
    "${NODE:-node}" "$LAL" explain "$run" --lang zh >"$run/explain.zh.txt" 2>&1
    "${NODE:-node}" "$LAL" explain "$run" --lang en >"$run/explain.en.txt" 2>&1
    head -c 600 "$run/explain.en.txt"; echo
  fi
  nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader >"$run/leftover-apps.txt" 2>&1
done
