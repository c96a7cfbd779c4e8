import { describe, expect, it } from 'vitest';
import { mainThread, parseFaulthandler, shortPath } from '../../../shared/stacks/parse';
import { classifyStack, commOnLine, isLibrary } from '../../../shared/stacks/classify';
import { describeRank, headline, rankWhere } from '../../../shared/stacks/explain';

/** Dumps in faulthandler's exact layout (CPython 3.11, captured from a rehearsal rank on torch 1.13). */
const TORCH = '/usr/lib/python3/dist-packages/torch';
const WL = '/opt/lal/resources/workloads/lalwork';
const recvDump = `Thread 0x00007f3a1c6836c0 (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 324 in wait
  File "/usr/lib/python3.11/threading.py", line 622 in wait
  File "/usr/lib/python3/dist-packages/tqdm/_monitor.py", line 60 in run
  File "/usr/lib/python3.11/threading.py", line 1038 in _bootstrap_inner
  File "/usr/lib/python3.11/threading.py", line 995 in _bootstrap

Current thread 0x00007f3a1d3e9b80 (most recent call first):
  File "${TORCH}/distributed/distributed_c10d.py", line 1187 in recv
  File "${WL}/pipeline.py", line 361 in run_tpp
  File "${WL}/../rehearsal.py", line 80 in main
  File "${WL}/../rehearsal.py", line 95 in <module>
`;
const fireDump = `Current thread 0x00007f00 (most recent call first):
  File "${WL}/faults.py", line 64 in _fire
  File "${WL}/faults.py", line 52 in _check
  File "${WL}/faults.py", line 45 in at_step
  File "${WL}/pipeline.py", line 355 in run_tpp
  File "${WL}/../rehearsal.py", line 95 in <module>
`;
const sendDump = fireDump.replace(`  File "${WL}/faults.py", line 64 in _fire\n  File "${WL}/faults.py", line 52 in _check\n  File "${WL}/faults.py", line 45 in at_step\n`, `  File "${TORCH}/distributed/distributed_c10d.py", line 1140 in send\n`);

describe('faulthandler parser', () => {
  it('reads threads and frames, innermost first, and finds the main thread by its <module> frame', () => {
    const threads = parseFaulthandler(recvDump);
    expect(threads).toHaveLength(2);
    expect(threads[0]).toMatchObject({ id: '0x00007f3a1c6836c0', current: false });
    expect(threads[1].current).toBe(true);
    expect(threads[1].frames[0]).toEqual({ file: `${TORCH}/distributed/distributed_c10d.py`, line: 1187, func: 'recv' });
    expect(mainThread(threads)).toBe(threads[1]);
  });

  it('survives a torn dump and junk lines; an empty text has no threads', () => {
    const torn = recvDump.slice(0, recvDump.indexOf('line 361')) + '\n  <no Python frame>\n  ...\ngarbage';
    const threads = parseFaulthandler(torn);
    expect(threads[1].frames).toHaveLength(1);
    expect(parseFaulthandler('')).toEqual([]);
    // No <module> frame anywhere (torn): the deepest thread is taken, here tqdm's monitor.
    expect(mainThread(parseFaulthandler(torn))?.frames[2].func).toBe('run');
  });

  it('python -m: the main thread runs <module> under runpy', () => {
    const runpy = `Thread 0x2 (most recent call first):\n  File "/usr/lib/python3.11/threading.py", line 324 in wait\n  File "/usr/lib/python3.11/threading.py", line 1 in a\n  File "/usr/lib/python3.11/threading.py", line 2 in b\n  File "/usr/lib/python3.11/threading.py", line 3 in c\n\nCurrent thread 0x1 (most recent call first):\n  File "/w/m.py", line 3 in step\n  File "/w/m.py", line 9 in <module>\n  File "<frozen runpy>", line 88 in _run_code\n  File "<frozen runpy>", line 198 in _run_module_as_main\n`;
    expect(mainThread(parseFaulthandler(runpy))?.id).toBe('0x1');
  });

  it('shortens paths to the last two parts', () => {
    expect(shortPath('/a/b/lalwork/pipeline.py')).toBe('lalwork/pipeline.py');
    expect(shortPath('x.py')).toBe('x.py');
  });
});

describe('classifier', () => {
  const frames = (text: string) => mainThread(parseFaulthandler(text))!.frames;

  it('dist.recv with the workload line that called it', () => {
    const c = classifyStack(frames(recvDump));
    expect(c).toMatchObject({ kind: 'comm', op: 'dist.recv', p2p: true, func: 'recv' });
    expect(c.site).toMatchObject({ func: 'run_tpp', line: 361 });
  });

  it('collectives, including torch 2.x logger wrappers and the _base spellings', () => {
    for (const [fn, op] of [['all_reduce', 'dist.all_reduce'], ['_all_gather_base', 'dist.all_gather'], ['barrier', 'dist.barrier'], ['broadcast', 'dist.broadcast'], ['reduce_scatter_tensor', 'dist.reduce_scatter_tensor']]) {
      const c = classifyStack([
        { file: `${TORCH}/distributed/distributed_c10d.py`, line: 10, func: fn },
        { file: `${TORCH}/distributed/c10d_logger.py`, line: 5, func: 'wrapper' },
        { file: '/ckpt/LiveAvatar/liveavatar/models/wan/causal_s2v_pipeline_tpp.py', line: 700, func: 'generate' },
      ]);
      expect(c).toMatchObject({ kind: 'comm', op, p2p: false });
      expect(c.site?.func).toBe('generate');
    }
  });

  it('known phases: compile, VAE decode, save, data loader, loading', () => {
    const at = (file: string, func: string) => classifyStack([{ file, line: 1, func }, { file: '/w/generate.py', line: 9, func: 'main' }]);
    expect(at(`${TORCH}/_dynamo/eval_frame.py`, '_fn')).toMatchObject({ kind: 'phase', phase: 'compile' });
    expect(at(`${TORCH}/_inductor/compile_fx.py`, 'compile_fx')).toMatchObject({ kind: 'phase', phase: 'compile' });
    expect(at('/ckpt/LiveAvatar/wan/modules/vae2_1.py', 'decode')).toMatchObject({ kind: 'phase', phase: 'vae_decode' });
    expect(at('/usr/lib/python3/dist-packages/imageio/v2.py', 'mimwrite')).toMatchObject({ kind: 'phase', phase: 'save', site: { func: 'main' } });
    expect(at(`${TORCH}/utils/data/dataloader.py`, '_next_data')).toMatchObject({ kind: 'phase', phase: 'data_loader' });
    expect(at(`${TORCH}/serialization.py`, 'load')).toMatchObject({ kind: 'phase', phase: 'loading' });
    // The rehearsal's own decode and save.
    expect(at(`${WL}/pipeline.py`, 'decode_block')).toMatchObject({ kind: 'phase', phase: 'vae_decode' });
    expect(at(`${WL}/video.py`, 'write_y4m')).toMatchObject({ kind: 'phase', phase: 'save' });
  });

  it('the innermost matching frame wins: a collective inside a compiled region is a collective', () => {
    const c = classifyStack([
      { file: `${TORCH}/distributed/distributed_c10d.py`, line: 1, func: 'all_gather' },
      { file: `${TORCH}/_dynamo/eval_frame.py`, line: 2, func: '_fn' },
    ]);
    expect(c.op).toBe('dist.all_gather');
  });

  it('a C-level wait is read from the calling line; otherwise it is computing in the innermost function', () => {
    const fr = [{ file: '/w/pipe.py', line: 3, func: 'step' }, { file: '/w/pipe.py', line: 9, func: '<module>' }];
    expect(classifyStack(fr, () => '    req.wait()')).toMatchObject({ kind: 'comm', op: 'work.wait', site: { line: 3 } });
    expect(classifyStack(fr, () => '    dist.all_reduce(x)')).toMatchObject({ kind: 'comm', op: 'dist.all_reduce' });
    expect(classifyStack(fr, () => '    y = x @ w')).toMatchObject({ kind: 'compute', func: 'step' });
    expect(classifyStack([])).toMatchObject({ kind: 'none' });
    expect(commOnLine('dist.irecv(t, 2)')).toBe('dist.irecv');
    expect(commOnLine('dist.get_rank()')).toBeNull();
  });

  it('library paths: torch, stdlib, site/dist-packages; the workload is not', () => {
    expect(isLibrary('/usr/lib/python3.11/threading.py')).toBe(true);
    expect(isLibrary('/home/u/venv/lib/python3.10/site-packages/torch/nn/modules/module.py')).toBe(true);
    expect(isLibrary('/home/u/LiveAvatar/minimal_inference/s2v_streaming_interact.py')).toBe(false);
    expect(isLibrary(`${WL}/pipeline.py`)).toBe(false);
  });
});

describe('explanation', () => {
  const opts = { pipeline: true, nproc: 5 };

  it('TPP hang: the receiver names its sender and where the sender is', () => {
    const ranks = [
      rankWhere({ rank: 2, pid: 12, text: sendDump, clip: 2, step: 3 }, opts),
      rankWhere({ rank: 3, pid: 13, text: fireDump, clip: 2, step: 1 }, opts),
      rankWhere({ rank: 4, pid: 14, text: recvDump, clip: 2, step: 1 }, opts),
    ];
    expect(ranks[0]).toMatchObject({ kind: 'comm', op: 'dist.send', peer: 3 });
    expect(ranks[2]).toMatchObject({ kind: 'comm', op: 'dist.recv', peer: 3 });
    const h = headline(ranks, [3]);
    expect(h.culprit).toBe(3);
    expect(h.text.en).toBe('rank 4 waits in dist.recv (lalwork/pipeline.py:361) for rank 3, which is at clip 2, step 1 in _fire (lalwork/faults.py:64)');
    expect(h.text.zh).toBe('rank 4 在 dist.recv（lalwork/pipeline.py:361）等待 rank 3，而 rank 3 停在第 2 段第 1 步的 _fire（lalwork/faults.py:64）');
    expect(describeRank(ranks[2], 'en')).toBe('waits in dist.recv (lalwork/pipeline.py:361) for rank 3 · clip 2, step 1');
  });

  it('a culprit that moved on during the second look is slow, not stuck: "still computing" first', () => {
    const slow = rankWhere({ rank: 3, pid: 13, text: fireDump, clip: 1, step: 2 }, opts);
    const waiter = rankWhere({ rank: 4, pid: 14, text: recvDump }, opts);
    expect(headline([slow, waiter]).text.en).toMatch(/^rank 4 waits in dist\.recv/);
    slow.advancing = true;
    const h = headline([slow, waiter]);
    expect(h).toMatchObject({ culprit: 3, waiter: 4 });
    expect(h.text.en).toBe('rank 3 is still computing in _fire (lalwork/faults.py:64) and advancing, only slowly; rank 4 waits for it in dist.recv (lalwork/pipeline.py:361)');
    expect(h.text.zh).toMatch(/^rank 3 仍在 _fire/);
  });

  it('a receiver whose sender was not dumped: "still advancing"; without a pipeline layout there is no peer', () => {
    const w = rankWhere({ rank: 4, pid: 14, text: recvDump }, opts);
    expect(headline([w]).text.en).toBe('rank 4 waits in dist.recv (lalwork/pipeline.py:361) for rank 3, which is still advancing');
    expect(rankWhere({ rank: 4, pid: 14, text: recvDump }, { pipeline: false, nproc: 5 }).peer).toBeNull();
    // rank 0 receives from nobody.
    expect(rankWhere({ rank: 0, pid: 1, text: recvDump }, opts).peer).toBeNull();
  });

  it('a p2p waiter is never paired with a rank it does not wait for', () => {
    const r0 = rankWhere({ rank: 0, pid: 10, text: sendDump }, opts); // sends to 1
    const r3 = rankWhere({ rank: 3, pid: 13, text: fireDump, clip: 2, step: 1 }, opts);
    const h = headline([r0, r3], [3]);
    expect(h.text.en).toMatch(/^rank 3 is still computing in _fire/);
  });

  it('collectives: the waiter is paired with the rank that is not in one', () => {
    const coll = recvDump.replace('line 1187 in recv', 'line 2000 in all_reduce');
    const ranks = [rankWhere({ rank: 0, pid: 1, text: coll }, opts), rankWhere({ rank: 1, pid: 2, text: fireDump, clip: 1, step: 2 }, opts)];
    expect(headline(ranks).text.en).toBe('rank 0 waits in dist.all_reduce (lalwork/pipeline.py:361) for rank 1, which is at clip 1, step 2 in _fire (lalwork/faults.py:64)');
    const all = [rankWhere({ rank: 0, pid: 1, text: coll }, opts), rankWhere({ rank: 1, pid: 2, text: coll }, opts)];
    expect(headline(all)).toMatchObject({ culprit: null });
    expect(headline(all).text.en).toMatch(/^ranks 0, 1 all wait in dist\.all_reduce/);
  });

  it('slow: still computing; several ranks in the same place are named together; a phase is named', () => {
    const slow = fireDump.replace('line 64 in _fire\n', 'line 48 in at_step\n').replace(/.*_check\n.*line 45 in at_step\n/, '');
    const one = rankWhere({ rank: 0, pid: 1, text: slow }, { pipeline: false, nproc: 1 });
    expect(headline([one]).text.en).toBe('rank 0 is still computing in at_step (lalwork/faults.py:48), not waiting on another rank');
    const two = [one, { ...one, rank: 1 }];
    expect(headline(two).text.en).toBe('ranks 0, 1 are still computing in at_step (lalwork/faults.py:48); none waits on another rank');
    const decode = rankWhere({ rank: 4, pid: 1, text: fireDump.replace('line 64 in _fire', 'line 150 in decode_block') }, opts);
    expect(headline([decode]).text.en).toBe('rank 4 is in the VAE decode (lalwork/faults.py:150)');
    expect(headline([decode]).text.zh).toBe('rank 4 正在VAE 解码（lalwork/faults.py:150）');
  });

  it('no dump: said as such, with the reason', () => {
    const w = rankWhere({ rank: 1, pid: 5, text: null, error: 'no-handler' }, opts);
    expect(w).toMatchObject({ kind: 'none', error: 'no-handler' });
    expect(describeRank(w, 'en')).toMatch(/^no stack: the process has no stack handler/);
    expect(headline([w]).text.en).toBe('no rank answered with a stack');
  });
});
