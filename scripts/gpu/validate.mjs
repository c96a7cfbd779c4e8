#!/usr/bin/env node
// GPU validation driver (issue 10): runs the built `lal` on a real GPU machine and writes what it
// measured to $OUT. Plain Node, no dependencies, because the GPU machines have no npm.
// Usage (on the GPU box): node scripts/gpu/validate.mjs <steps...>
//   steps: detect, check-run:<mode>[:<gpus>], hang, crash, oom, sigkill, stop,
//          cascade1:<mode>:<rank> (one GPU, real NCCL ranks sharing it: a watchdog cascade through the launcher),
//          hang1, where1, interrupted1, stepvideo1 (one GPU: stall stacks, "Where is it now?", a launcher
//          that died, the Step-Video server and a DiT rank sharing the card)
// Env: LAL (path to lal.mjs), NODE (node binary), OUT (folder for results), LAL_DATA_DIR.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = process.env.VOUT ?? process.env.OUT ?? '/tmp/lal-out';
const NODE = process.env.NODE ?? process.execPath;
const LAL = process.env.LAL ?? 'out/cli/lal.mjs';
const PY = process.env.LAL_PY ? ['--python', process.env.LAL_PY] : [];
mkdirSync(OUT, { recursive: true });
const resultsFile = join(OUT, 'results.ndjson');
const logFile = join(OUT, 'driver.log');
const log = (...a) => {
  const line = `[${new Date().toISOString()}] ${a.join(' ')}`;
  process.stdout.write(line + '\n');
  appendFileSync(logFile, line + '\n');
};
const record = (row) => appendFileSync(resultsFile, JSON.stringify(row) + '\n');

function lalSync(args, timeoutMs = 120_000) {
  const r = spawnSync(NODE, [LAL, ...PY, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function smiUsed() {
  const r = spawnSync('nvidia-smi', ['--query-gpu=index,memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim().split('\n').filter(Boolean).map((l) => Number(l.split(',')[1]));
}
function smiApps() {
  const r = spawnSync('nvidia-smi', ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim().split('\n').filter(Boolean);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Start `lal run --json-events`, collect events with their arrival time. */
function startRun(args, { onEvent } = {}) {
  const child = spawn(NODE, [LAL, ...PY, 'run', ...args, '--json-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events = [];
  let buf = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const ev = JSON.parse(line);
        ev._t = Date.now();
        events.push(ev);
        onEvent?.(ev, child);
      } catch {
        /* not JSON: ignore */
      }
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, events, done, stderr: () => stderr };
}

function peaksFromEvents(events) {
  const peaks = {};
  for (const e of events) if (e.type === 'gpu') for (const s of e.samples ?? []) peaks[s.index] = Math.max(peaks[s.index] ?? 0, s.memoryUsedMiB);
  return peaks;
}

async function waitFreed(baseline, timeoutMs = 60_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const used = smiUsed();
    if (smiApps().length === 0 && used.every((u, i) => u <= (baseline[i] ?? 0) + 64)) return Date.now() - t0;
    await sleep(100);
  }
  return null;
}

const modeArgs = (mode, gpus) => {
  const a = ['--recipe', 'rehearsal', '--mode', mode, '--set', 'device=cuda', '--set', 'scale=full', '--set', 'num_clip=2'];
  if (mode === 'fsdp-ulysses') a.push('--set', `ulysses_size=${gpus}`);
  return a;
};

async function checkRun(mode, gpus) {
  const check = lalSync(['check', ...modeArgs(mode, gpus), '--json']);
  writeFileSync(join(OUT, `check-${mode}-${gpus}.json`), check.stdout + check.stderr);
  let predicted = null;
  try {
    predicted = JSON.parse(check.stdout);
  } catch {
    log('check output not JSON', check.stderr.slice(0, 500));
  }
  const baseline = smiUsed();
  const t0 = Date.now();
  const run = startRun(modeArgs(mode, gpus));
  const res = await run.done;
  const exit = run.events.find((e) => e.type === 'exit');
  const freedMs = await waitFreed(baseline);
  const row = {
    kind: 'check-run', mode, gpus, exitCode: res.code, status: exit?.status ?? null, wallSec: (Date.now() - t0) / 1000,
    predictedPerGpu: predicted?.perGpu?.map((g) => ({ index: g.index, role: g.role, requiredBytes: g.requiredBytes })) ?? null,
    verdict: predicted?.verdict ?? null, measuredPeakMiB: peaksFromEvents(run.events), baselineMiB: baseline,
    diagnoses: run.events.filter((e) => e.type === 'diagnosis').map((e) => ({ code: e.code, rank: e.rank })),
    freedMs, runDir: run.events.find((e) => e.type === 'start')?.runDir ?? null, stderrTail: run.stderr().slice(-1500),
  };
  record(row);
  log(`check-run ${mode} x${gpus}: exit ${res.code} status ${row.status} peaks ${JSON.stringify(row.measuredPeakMiB)}`);
  return row;
}

/**
 * A run watched to its end: its events, the stall (if any) and how long after the stuck ranks'
 * last progress it came, the run folder, and how long the GPU memory took to be freed.
 */
async function watchedRun(args) {
  const baseline = smiUsed();
  const lastProgress = {};
  let stallAt = null;
  const run = startRun(args, {
    onEvent: (e) => {
      if (e.type === 'progress') lastProgress[e.rank] = e._t;
      if (e.type === 'stall' && !stallAt) stallAt = e._t;
    },
  });
  const res = await run.done;
  const freedMs = await waitFreed(baseline);
  const stall = run.events.find((e) => e.type === 'stall');
  return {
    run, res, freedMs, stall,
    stallAfterLastProgressSec: stall && stall.ranks?.length ? (stallAt - Math.max(...stall.ranks.map((r) => lastProgress[r] ?? 0))) / 1000 : null,
    runDir: run.events.find((e) => e.type === 'start')?.runDir ?? null,
  };
}

async function fault(kind, inject, extra = [], mode = 'tpp-4gpu') {
  const args = ['--recipe', 'rehearsal', '--mode', mode, '--set', 'device=cuda', '--set', 'scale=full', '--set', 'num_clip=3', '--set', `inject=${inject}`, ...extra];
  const { run, res, freedMs, stall, stallAfterLastProgressSec, runDir } = await watchedRun(args);
  const row = {
    kind, mode, inject, exitCode: res.code, status: run.events.find((e) => e.type === 'exit')?.status ?? null,
    diagnoses: run.events.filter((e) => e.type === 'diagnosis').map((e) => ({ code: e.code, rank: e.rank, fields: e.diagnosis?.fields ?? null, title: e.diagnosis?.title })),
    stallRanks: stall?.ranks ?? null, stallAfterLastProgressSec, freedMs, leftoverApps: smiApps(), runDir,
  };
  record(row);
  log(`${kind}: exit ${res.code} ${JSON.stringify(row.diagnoses)} stall ${row.stallAfterLastProgressSec}s freed ${freedMs}ms`);
}

async function sigkillLauncher() {
  const baseline = smiUsed();
  let killedAt = null;
  const run = startRun(['--recipe', 'rehearsal', '--mode', 'tpp-4gpu', '--set', 'device=cuda', '--set', 'scale=full', '--set', 'num_clip=50', '--set', 'inject=slow@1:1'], {
    onEvent: (e, child) => {
      if (e.type === 'progress' && !killedAt) {
        killedAt = Date.now();
        child.kill('SIGKILL');
      }
    },
  });
  await run.done;
  await sleep(2000);
  const appsAfterKill = smiApps();
  const found = lalSync(['runs', '--reap', '--json']);
  const freedMs = await waitFreed(baseline);
  record({ kind: 'sigkill-launcher', appsAfterKill, reap: found.stdout.slice(0, 4000), reapCode: found.code, freedMs, leftoverApps: smiApps() });
  log(`sigkill: ${appsAfterKill.length} GPU procs left after killing lal; reap exit ${found.code}; freed in ${freedMs}ms`);
}

async function stopRun(mode = 'tpp-4gpu') {
  const baseline = smiUsed();
  let stopSent = null;
  let usedAtStop = null;
  const run = startRun(['--recipe', 'rehearsal', '--mode', mode, '--set', 'device=cuda', '--set', 'scale=full', '--set', 'num_clip=50'], {
    onEvent: (e, child) => {
      if (e.type === 'progress' && !stopSent) {
        stopSent = Date.now();
        usedAtStop = smiUsed();
        child.kill('SIGINT');
      }
    },
  });
  const res = await run.done;
  const exitedMs = Date.now() - stopSent;
  const freedMs = await waitFreed(baseline);
  record({ kind: 'stop', mode, usedAtStop, perGpuUsedAfter: smiUsed(), exitCode: res.code, status: run.events.find((e) => e.type === 'exit')?.status ?? null, lalExitMs: exitedMs, stopToFreedMs: freedMs === null ? null : exitedMs + freedMs, leftoverApps: smiApps() });
  log(`stop: lal exited ${exitedMs}ms after SIGINT, VRAM free ${freedMs}ms later`);
}

/** One GPU: a hang in the single-GPU layout; the stall must come with where the rank is stuck (issue 22). */
async function hangOne() {
  const args = ['--recipe', 'rehearsal', '--mode', 'single-offload', '--set', 'device=cuda', '--set', 'num_clip=3', '--set', 'inject=hang@2:1:0', '--set', 'stall_action=stop'];
  const { res, freedMs, stall, stallAfterLastProgressSec, runDir } = await watchedRun(args);
  const explained = runDir ? lalSync(['explain', runDir, '--json']) : null;
  record({
    kind: 'hang1', exitCode: res.code, stallRanks: stall?.ranks ?? null, where: stall?.where ?? null, stallAfterLastProgressSec,
    explain: explained ? explained.stdout.slice(0, 6000) : null, freedMs, leftoverApps: smiApps(), runDir,
  });
  log(`hang1: stall ${JSON.stringify(stall?.ranks)} where ${JSON.stringify(stall?.where?.summary ?? stall?.where ?? null).slice(0, 400)} freed ${freedMs}ms`);
}

/**
 * One GPU, several real NCCL ranks (the rehearsal's share_gpu): rank `rank` hangs, the others'
 * collectives outlive a 10 s process-group timeout, the watchdog aborts them. What the launcher
 * recorded and what `lal explain <folder>` says must name the same rank (issue 15). The run folder
 * is copied to $OUT/cascade1-<mode>-<rank>/ for the fixtures.
 */
async function cascadeOne(mode, rank) {
  const args = ['--recipe', 'rehearsal', '--mode', mode, '--set', 'device=cuda', '--set', 'share_gpu=true', '--set', 'scale=tiny', '--set', 'num_clip=3',
    '--set', 'collective_timeout_sec=10', '--set', 'stall_after_sec=600', '--set', `inject=hang@2:1:${rank}`];
  const t0 = Date.now();
  const { run, res, freedMs, runDir } = await watchedRun(args);
  const recorded = run.events.filter((e) => e.type === 'diagnosis').map((e) => ({ code: e.code, rank: e.rank }));
  const folder = runDir ? lalSync(['explain', runDir, '--json']) : null;
  let explained = null;
  try {
    explained = JSON.parse(folder?.stdout ?? '').diagnoses.map((d) => ({ code: d.code, rank: d.rank, laggard: d.fields?.laggard ?? null }));
  } catch {
    /* recorded as null */
  }
  if (runDir) spawnSync('cp', ['-r', runDir, join(OUT, `cascade1-${mode}-${rank}`)]);
  record({ kind: 'cascade1', mode, hungRank: rank, exitCode: res.code, seconds: (Date.now() - t0) / 1000, status: run.events.find((e) => e.type === 'exit')?.status ?? null, recorded, explained, freedMs, leftoverApps: smiApps(), runDir, stderrTail: run.stderr().slice(-1500) });
  log(`cascade1 ${mode} hang on ${rank}: recorded ${JSON.stringify(recorded)} explain ${JSON.stringify(explained)} freed ${freedMs}ms`);
}

/** One GPU: "Where is it now?" on a running, healthy run, timed. */
async function whereOne() {
  const baseline = smiUsed();
  let asked = null;
  const run = startRun(['--recipe', 'rehearsal', '--mode', 'single-offload', '--set', 'device=cuda', '--set', 'num_clip=40', '--set', 'inject=slow@1:1:0'], {
    onEvent: (e, child) => {
      if (e.type === 'progress' && e.clip >= 2 && !asked) {
        asked = Date.now();
        const id = run.events.find((x) => x.type === 'start')?.runId;
        const t0 = Date.now();
        const r = lalSync(['runs', 'stacks', id, '--json'], 60_000);
        record({ kind: 'where1', ms: Date.now() - t0, exitCode: r.code, stacks: r.stdout.slice(0, 8000), stderr: r.stderr.slice(0, 1000) });
        log(`where1: lal runs stacks exit ${r.code} in ${Date.now() - t0}ms`);
        child.kill('SIGINT');
      }
    },
  });
  await run.done;
  const freedMs = await waitFreed(baseline);
  record({ kind: 'where1-stop', freedMs, leftoverApps: smiApps() });
}

/** One GPU: SIGKILL the launcher; the next `lal runs` must say interrupted, never running (issue 14). */
async function interruptedOne() {
  const baseline = smiUsed();
  let killed = false;
  let runId = null;
  const run = startRun(['--recipe', 'rehearsal', '--mode', 'single-offload', '--set', 'device=cuda', '--set', 'num_clip=50', '--set', 'inject=slow@1:1:0'], {
    onEvent: (e, child) => {
      if (e.type === 'start') runId = e.runId;
      if (e.type === 'progress' && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    },
  });
  await run.done;
  await sleep(3000);
  const appsAfterKill = smiApps();
  const runs = lalSync(['runs', '--json']);
  let status = null;
  try {
    status = JSON.parse(runs.stdout).find((r) => r.runId === runId || r.id === runId) ?? null;
  } catch {
    /* not JSON */
  }
  const freedMs = await waitFreed(baseline);
  record({ kind: 'interrupted1', runId, appsAfterKill, record: status, freedMs, leftoverApps: smiApps() });
  log(`interrupted1: ${appsAfterKill.length} GPU procs 3 s after SIGKILL; record ${JSON.stringify(status?.status)} ${JSON.stringify(status?.interruption ?? null)}`);
}

/**
 * One GPU: the Step-Video rehearsal at full scale, server and one DiT rank (1×1×1) sharing the card,
 * each process's peak read from nvidia-smi's per-process memory every 0.2 s, next to `lal check`'s
 * rows for the same settings on a what-if 2-GPU box of this card (issue 20).
 */
async function stepVideoOne() {
  const baseline = smiUsed();
  const args = ['--recipe', 'step-video-rehearsal', '--mode', 'xdit-parallel', '--set', 'ulysses_degree=1', '--set', 'ring_degree=1', '--set', 'tensor_parallel_degree=1',
    '--set', 'device=cuda', '--set', 'scale=full', '--set', 'infer_steps=2'];
  const name = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  const check = lalSync(['check', ...args, '--hardware', `2x ${name}`, '--json']);
  writeFileSync(join(OUT, 'check-stepvideo.json'), check.stdout + check.stderr);
  const perPid = {};
  const timer = setInterval(() => {
    const r = spawnSync('nvidia-smi', ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
    for (const line of (r.stdout ?? '').trim().split('\n').filter(Boolean)) {
      const [pid, mib] = line.split(',').map((x) => x.trim());
      let cmd = '';
      try {
        cmd = spawnSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' }).stdout.replace(/\0/g, ' ').slice(0, 160);
      } catch {
        /* gone */
      }
      const key = `${pid} ${cmd.includes('server.py') ? 'server' : cmd.includes('dit.py') ? 'dit' : cmd}`;
      perPid[key] = Math.max(perPid[key] ?? 0, Number(mib) || 0);
    }
  }, 200);
  const run = startRun(args);
  const res = await run.done;
  clearInterval(timer);
  const freedMs = await waitFreed(baseline);
  record({
    kind: 'stepvideo1', exitCode: res.code, status: run.events.find((e) => e.type === 'exit')?.status ?? null, perProcessPeakMiB: perPid,
    deviceUsedPeakMiB: peaksFromEvents(run.events), diagnoses: run.events.filter((e) => e.type === 'diagnosis').map((e) => ({ code: e.code, rank: e.rank })),
    freedMs, leftoverApps: smiApps(), runDir: run.events.find((e) => e.type === 'start')?.runDir ?? null, stderrTail: run.stderr().slice(-2000),
  });
  log(`stepvideo1: exit ${res.code} per-process peaks ${JSON.stringify(perPid)}`);
}

for (const step of process.argv.slice(2)) {
  log(`== ${step}`);
  try {
    const [name, a, b] = step.split(':');
    if (name === 'detect') {
      const r = lalSync(['detect', '--json']);
      writeFileSync(join(OUT, 'detect.json'), r.stdout);
      const h = lalSync(['detect']);
      writeFileSync(join(OUT, 'detect.txt'), h.stdout + h.stderr);
      record({ kind: 'detect', exitCode: r.code });
      log(h.stdout);
    } else if (name === 'check-run') await checkRun(a, Number(b ?? 1));
    else if (name === 'hang') await fault('hang', 'hang@2:1:3', ['--set', 'stall_action=stop']);
    else if (name === 'hang5') await fault('hang5', `hang@2:1:${a}`, ['--set', 'stall_action=stop'], 'tpp-5gpu');
    else if (name === 'crash') await fault('crash', 'crash@1:2:1');
    else if (name === 'oom') await fault('oom', 'oom@1:1:2');
    else if (name === 'sigkill') await sigkillLauncher();
    else if (name === 'stop') await stopRun(a);
    else if (name === 'hang1') await hangOne();
    else if (name === 'cascade1') await cascadeOne(a ?? 'tpp-4gpu', Number(b ?? 1));
    else if (name === 'where1') await whereOne();
    else if (name === 'interrupted1') await interruptedOne();
    else if (name === 'stepvideo1') await stepVideoOne();
    else log(`unknown step ${step}`);
  } catch (err) {
    log(`step ${step} failed: ${err.stack ?? err}`);
  }
}
