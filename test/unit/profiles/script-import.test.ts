import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSource } from '../../../electron/core/profiles/read-source';
import { repoRoot } from '../../support/temp';

const fixtures = join(repoRoot, 'test/fixtures/scripts');
const read = (name: string) => readSource(readFileSync(join(fixtures, name), 'utf8'), name.replace(/\.sh$/, ''));

const DEMO = {
  prompt: 'A dwarven blacksmith at his forge, speaking warmly to the camera.',
  image: 'examples/dwarven_blacksmith.jpg',
  audio: 'examples/dwarven_blacksmith.wav',
};

describe('import of upstream-style launch scripts (our re-creations, upstream-notes §2)', () => {
  it('infinite_inference_multi_gpu.sh → 5-GPU TPP, nothing left over', async () => {
    const r = await read('infinite_inference_multi_gpu.sh');
    expect(r.errors).toEqual([]);
    expect(r.unparsed).toEqual([]);
    expect(r.profile).toEqual({
      format: 'lavprofile', version: 2, name: 'infinite_inference_multi_gpu', recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu',
      gpus: [0, 1, 2, 3, 4], inputs: DEMO, settings: { size: '720*400', lora_path_dmd: 'Quark-Vision/Live-Avatar' }, env: {},
    });
  });

  it('infinite_inference_single_gpu.sh → single GPU with offload', async () => {
    const r = await read('infinite_inference_single_gpu.sh');
    expect(r.unparsed).toEqual([]);
    expect(r.profile).toMatchObject({ recipe: 'liveavatar-s2v-14b', mode: 'single-offload', gpus: [0], inputs: DEMO, settings: { lora_path_dmd: 'Quark-Vision/Live-Avatar' }, env: {} });
  });

  it('gradio scripts → the same model flags; web-UI flags reported by line; HF_ENDPOINT kept for consent', async () => {
    const multi = await read('gradio_multi_gpu.sh');
    expect(multi.profile).toMatchObject({
      mode: 'tpp-5gpu', gpus: [0, 1, 2, 3, 4], settings: { size: '720*400', num_clip: 100 },
      env: { TORCH_NCCL_BLOCKING_WAIT: '1', TORCH_NCCL_ASYNC_ERROR_HANDLING: '0', TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '86400', HF_ENDPOINT: 'https://hf-mirror.com' },
    });
    expect(multi.unparsed.map((u) => u.line)).toEqual([14, 33, 34]);
    expect(multi.unparsed[1]).toEqual({ line: 33, text: '--server_port 7860 \\', reason: expect.stringContaining('no such setting'), reasonZh: expect.stringContaining('没有这个设置') });
    const single = await read('gradio_single_gpu.sh');
    expect(single.profile).toMatchObject({ mode: 'single-offload', gpus: [7], settings: { num_clip: 100 } });
  });

  it('a forum script: hazards are reported line by line, nothing is run', async () => {
    const r = await read('forum_4gpu_hazards.sh');
    expect(r.profile).toMatchObject({
      mode: 'tpp-4gpu', gpus: [0, 1, 2, 3], settings: { size: '688*368' },
      env: { LD_PRELOAD: '/tmp/libhook.so', TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '86400' },
      inputs: { prompt: '一位女士在直播间介绍产品，语气亲切 $HOME `id`' },
    });
    const reasons = r.unparsed.map((u) => `${u.line}: ${u.reason}`).join('\n');
    for (const want of [/^5: "set"/m, /^6: cd/m, /^11: NCCL_P2P_DISABLE is set but never exported/m, /^12: STAMP: command substitution/m, /^13: command "pip"/m, /^17: --image: ~/m, /^17: --audio: \$MY_AUDIO/m, /^18: a pipe/m, /^18: --save_file: \$STAMP/m]) {
      expect(reasons).toMatch(want);
    }
    expect(r.profile!.inputs.image).toBeUndefined();
  });

  it('a script with --fp8 removed (Ampere) imports fp8 off, although the recipe defaults it on', async () => {
    const text = readFileSync(join(fixtures, 'infinite_inference_multi_gpu.sh'), 'utf8').replace(/ \\\n\s+--fp8\n/, '\n');
    const r = await readSource(text, 'no-fp8');
    expect(r.profile?.settings.fp8).toBe(false);
  });

  it('fails with the line when there is no torchrun, a syntax error or an unknown entry', async () => {
    expect((await readSource('echo hi\nls -la\n', 'x')).errors[0]).toEqual({ path: 'line 1', message: expect.stringContaining('no torchrun'), messageZh: expect.stringContaining('torchrun') });
    expect((await readSource('torchrun --nproc_per_node=1 x.py --prompt "unterminated\n', 'x')).errors[0]!.path).toMatch(/^line \d+$/);
    expect((await readSource('if true; then\n  torchrun --nproc_per_node 1 a.py\nfi\n', 'x')).errors[0]).toMatchObject({ path: 'line 1' });
    const unknown = await readSource('torchrun --nproc_per_node=1 train.py --lr 1\n', 'x');
    expect(unknown.errors[0]).toMatchObject({ path: 'line 1', message: expect.stringContaining('no recipe runs "train.py"') });
  });

  it('a script saved on Windows (BOM, CRLF) imports the same, with a note', async () => {
    const unix = await read('infinite_inference_multi_gpu.sh');
    const crlf = await readSource('\uFEFF' + readFileSync(join(fixtures, 'infinite_inference_multi_gpu.sh'), 'utf8').replace(/\n/g, '\r\n'), 'infinite_inference_multi_gpu');
    expect(crlf.profile).toEqual(unix.profile);
    expect(crlf.unparsed).toEqual([expect.objectContaining({ line: 1, reason: expect.stringContaining('CRLF') })]);
  });

  it('nohup / env wrappers and a background & are read through and reported', async () => {
    const r = await readSource('CUDA_VISIBLE_DEVICES=1 nohup env NCCL_P2P_DISABLE=1 torchrun --nproc_per_node=1 minimal_inference/s2v_streaming_interact.py --size 688*368 > run.log 2>&1 &\n', 'bg');
    expect(r.profile).toMatchObject({ mode: 'single-offload', gpus: [1], env: { NCCL_P2P_DISABLE: '1' }, settings: { size: '688*368' } });
    const reasons = r.unparsed.map((u) => u.reason).join('\n');
    expect(reasons).toMatch(/"nohup" is not needed/);
    expect(reasons).toMatch(/background/);
    expect(reasons).toMatch(/redirection/);
  });

  it('python -m torch.distributed.run, --nproc-per-node spelling and exported CUDA_VISIBLE_DEVICES', async () => {
    const r = await readSource('export CUDA_VISIBLE_DEVICES=2\npython3 -m torch.distributed.run --nproc-per-node 1 minimal_inference/s2v_streaming_interact.py --size 688*368 --num_clip=3\n', 'py');
    expect(r.profile).toMatchObject({ mode: 'single-offload', gpus: [2], settings: { size: '688*368', num_clip: 3 } });
  });
});
