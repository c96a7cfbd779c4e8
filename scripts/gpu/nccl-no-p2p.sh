#!/usr/bin/env bash
# Measures what NCCL itself costs in GPU memory when GPUs cannot talk peer-to-peer (consumer cards
# such as the RTX 4090 have no P2P, so NCCL goes through host shared memory), against NVLink.
# Tiny rehearsal scale, so a rank's device memory is almost only the CUDA context plus NCCL.
#
#   OUT=docs/validation-data/nccl-no-p2p bash scripts/gpu/nccl-no-p2p.sh     # on a 4-GPU box
#
# ONLY="fsdp4 tpp4" runs a subset. Writes one log per run and peaks.ndjson (one LAL_PEAK per rank, tagged with layout and p2p).
set -u
OUT=${OUT:?set OUT to a folder}
mkdir -p "$OUT"
W=resources/workloads/rehearsal.py
nvidia-smi topo -m > "$OUT/topo-m.txt" 2>&1
python3 -c 'import torch; print(torch.__version__, torch.cuda.nccl.version())' > "$OUT/versions.txt" 2>&1
: > "$OUT/peaks.ndjson"
run() { # name nproc p2p_disable flags...
  local name=$1 n=$2 p2p=$3; shift 3
  case " ${ONLY:-$name} " in *" $name "*) ;; *) return ;; esac
  local log="$OUT/$name-p2p$((1 - p2p)).log"
  NCCL_NVLS_ENABLE=0 NCCL_P2P_DISABLE=$p2p NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=INIT \
    timeout 90 python3 -m torch.distributed.run --standalone --nproc_per_node "$n" "$W" \
    --scale tiny --device cuda --size '704*384' --num_clip 2 "$@" > "$log" 2>&1
  echo "$name p2p_disable=$p2p exit=$?"
  grep -o 'LAL_PEAK {.*' "$log" | sed "s/^LAL_PEAK /{\"layout\":\"$name\",\"p2p\":$((1 - p2p)),\"peak\":/; s/\$/}/" >> "$OUT/peaks.ndjson"
}
for p2p in 0 1; do
  run fsdp2 2 $p2p --sample_steps 2 --dit_fsdp --ulysses_size 2
  run fsdp4 4 $p2p --sample_steps 2 --dit_fsdp --ulysses_size 4
  run tpp4 4 $p2p --sample_steps 3 --num_gpus_dit 3 --enable_vae_parallel
done
