import { describe, expect, it } from 'vitest';
import { companionDiagnoses, parseCompanionLog } from '../../../shared/failures/companion';
import { describe as words } from '../../../shared/failures/describe';
import { explainLogs } from '../../../shared/failures/explain';
import type { Diagnosis } from '../../../shared/failures/types';
import { parseHardwareSpec, predictPerGpu, GB } from '../../../shared/feasibility';
import { serverPhases } from '../../../shared/feasibility/companion';
import { STEP_VIDEO_SERVER } from '../../../shared/recipes/step-video';
import { stepVideoRehearsal } from '../../../shared/recipes/step-video-rehearsal';
import { buildPlan } from '../../../electron/core/runs/plan';
import { planCompanions } from '../../../electron/core/runs/companions';

const facts = (logText: string) => ({ name: 'caption-vae', port: 8080, logText, logFile: 'companions/caption-vae.log' });
const timeout: Diagnosis = { code: 'NCCL_WATCHDOG_TIMEOUT', rank: 1, evidence: null, fields: { timeoutMs: 2000 } };

describe('companion failure rule', () => {
  it('a death during the run is the cause; refused connections and timeouts become its consequences', () => {
    const log = 'Serving\n[lal] LAL_COMPANION_READY name=caption-vae after_sec=1.0\n[lal] LAL_COMPANION_EXIT name=caption-vae code=3 signal=null during=run at=2026-12-06T20:00:00.000Z\n';
    const r = companionDiagnoses(facts(log), [timeout]);
    expect(r.add).toEqual([expect.objectContaining({ code: 'COMPANION_DIED', fields: expect.objectContaining({ name: 'caption-vae', exitCode: '3' }) })]);
    expect(r.consequences).toEqual(expect.arrayContaining(['NCCL_WATCHDOG_TIMEOUT', 'COMPANION_UNREACHABLE', 'RANK_EXIT']));
  });

  it('alive but no longer answering (the launcher\'s unhealthy line): the cause, the ranks\' refusals its consequence', () => {
    const r = companionDiagnoses(facts('[lal] LAL_COMPANION_UNHEALTHY name=caption-vae\n'), [{ code: 'COMPANION_UNREACHABLE', rank: 0, evidence: null }]);
    expect(r.add.map((d) => d.code)).toEqual(['COMPANION_UNHEALTHY']);
    expect(r.consequences).toContain('COMPANION_UNREACHABLE');
  });

  it('an exit after the launcher stopped it is not a death', () => {
    const log = '[lal] LAL_COMPANION_STOP name=caption-vae\n';
    expect(companionDiagnoses(facts(log), [timeout]).add).toEqual([]);
  });

  it('busy while the ranks timed out: the server is blamed, from the launcher\'s busy lines (upstream servers print nothing)', () => {
    const log = '[lal] LAL_COMPANION_BUSY name=caption-vae open=2 for_sec=2.0\n[lal] LAL_COMPANION_BUSY name=caption-vae open=1 for_sec=4.1\n';
    const r = companionDiagnoses(facts(log), [timeout]);
    expect(r.add[0]).toMatchObject({ code: 'COMPANION_SLOW', fields: { busySec: 4.1, open: 2, timeoutMs: 2000 } });
    expect(r.consequences).toContain('NCCL_WATCHDOG_TIMEOUT');
  });

  it('busy from the rehearsal server\'s own lines: a request never answered, and the slowest answer', () => {
    const log = ['LAL_SERVE {"api": "caption", "event": "start", "id": 0}', 'LAL_SERVE {"api": "caption", "event": "start", "id": 1}', 'LAL_SERVE {"api": "caption", "event": "done", "id": 0, "waited": 0.0, "sec": 3.0}'].join('\n');
    expect(parseCompanionLog(log)).toMatchObject({ pending: 1, slowestSec: 3 });
    expect(companionDiagnoses(facts(log), [timeout]).add[0]?.code).toBe('COMPANION_SLOW');
  });

  it('a quiet, healthy server is not blamed for an NCCL failure, nor a busy one when nothing timed out', () => {
    expect(companionDiagnoses(facts('[lal] LAL_COMPANION_READY name=caption-vae after_sec=1.0\n'), [timeout]).add).toEqual([]);
    expect(companionDiagnoses(facts('[lal] LAL_COMPANION_BUSY name=caption-vae open=1 for_sec=9.0\n'), [{ code: 'CUDA_OOM', rank: 0, evidence: null }]).add).toEqual([]);
  });

  it("a rank's refused connection, in aiohttp's words and the rehearsal's, is COMPANION_UNREACHABLE naming host and port", () => {
    for (const line of [
      "aiohttp.client_exceptions.ClientConnectorError: Cannot connect to host 127.0.0.1:8080 ssl:default [Connect call failed ('127.0.0.1', 8080)]",
      'ConnectionRefusedError: Cannot connect to host 127.0.0.1:8080 [Connection refused] (vae-api)',
    ]) {
      const d = explainLogs([{ name: 'rank0.log', text: `Traceback (most recent call last):\n${line}\n`, rank: 0 }]);
      const u = d.find((x) => x.code === 'COMPANION_UNREACHABLE');
      expect(u, JSON.stringify(d)).toMatchObject({ rank: 0, fields: { host: '127.0.0.1', port: '8080' } });
      expect(words(u!, 'en').title).toBe('The caption/VAE server is not running (127.0.0.1:8080)');
      expect(words(u!, 'zh-CN').title).toBe('文本编码/VAE 服务没有运行（127.0.0.1:8080）');
    }
  });

  it('words for every code in both languages, with no placeholder left', () => {
    const all: Diagnosis[] = [
      { code: 'COMPANION_PORT_IN_USE', rank: null, evidence: null, fields: { name: 'caption-vae', port: 8080, holderPid: 42, holder: 'python3 api/call_remote_server.py' } },
      { code: 'COMPANION_NOT_READY', rank: null, evidence: null, fields: { name: 'caption-vae', port: 8080, host: '127.0.0.1', seconds: 30, log: 'companions/caption-vae.log' } },
      { code: 'COMPANION_EXITED_EARLY', rank: null, evidence: null, fields: { name: 'caption-vae', exitCode: 1, lastLine: 'no model', log: 'x.log' } },
      { code: 'COMPANION_DIED', rank: null, evidence: null, fields: { name: 'caption-vae', exitCode: 3, host: '127.0.0.1', port: 8080, log: 'x.log' } },
      { code: 'COMPANION_SLOW', rank: null, evidence: null, fields: { name: 'caption-vae', busySec: 9, log: 'x.log', timeoutMs: 600000 } },
      { code: 'COMPANION_UNHEALTHY', rank: null, evidence: null, fields: { name: 'caption-vae', host: '127.0.0.1', port: 8080, log: 'x.log' } },
    ];
    for (const d of all) {
      for (const lang of ['en', 'zh-CN'] as const) {
        const t = words(d, lang);
        for (const s of [t.title, t.explanation, t.fix]) {
          expect(s).not.toMatch(/\{\w+\}|\?$/);
          expect(s.length).toBeGreaterThan(10);
        }
      }
    }
    expect(words(all[4], 'en').explanation).toContain('of 10 minutes');
  });
});

describe('planning companions', () => {
  it('expands the argv, drops an option whose setting is empty, and tells the ranks the host and the port', async () => {
    const built = buildPlan({
      spec: { recipe: 'step-video-rehearsal', mode: 'xdit-parallel', settings: { device: 'cpu', ulysses_degree: 2, vae_url: '10.0.0.9' } },
      recipe: stepVideoRehearsal,
      runId: 'r1',
      runDir: '/tmp/lal-run-r1',
      resourcesDir: '/opt/lal/resources',
      torchrun: { argv: ['/usr/bin/python3', '/opt/lal/resources/torchrun/lal_torchrun.py'], python: '/usr/bin/python3', patched: false, reason: '' },
      port: 29500,
      trusted: ['/tmp'],
    });
    const [c] = await planCompanions(stepVideoRehearsal, built, { python: '/usr/bin/python3', resourcesDir: '/opt/lal/resources', runDir: '/tmp/lal-run-r1', checkout: null, freePort: async () => 41234 });
    expect(c.argv).toEqual(['/usr/bin/python3', '/opt/lal/resources/workloads/stepvideo/server.py', '--port', '41234', '--device', 'cpu', '--scale', 'tiny']);
    expect(c).toMatchObject({ port: 41234, portFixed: false, readiness: { kind: 'http', path: '/health' }, logFile: 'companions/caption-vae.log' });
    expect(c.env.LAL_RUN_ID).toBe('r1');
    const argv = built.plan.argv;
    // The server runs on this machine: the ranks are pointed at it whatever the profile said.
    expect(argv[argv.indexOf('--vae_url') + 1]).toBe('127.0.0.1');
    expect(argv[argv.indexOf('--caption_url') + 1]).toBe('127.0.0.1');
    expect(argv[argv.indexOf('--companion_port') + 1]).toBe('41234');
  });
});

describe('server GPU memory', () => {
  it('weights of both text encoders and the VAE, peaking in the decode', () => {
    const p = serverPhases(STEP_VIDEO_SERVER, { frames: 204, height: 544, width: 992 });
    const sum = (k: string) => p[k].reduce((a, x) => a + x.bytes, 0);
    expect(sum('load')).toBe((6_000_000_000 + 350_000_000 + 500_000_000) * 2);
    expect(sum('decode')).toBe(sum('load') + 204 * 3 * 544 * 992 * (4 * 3 + 1));
    expect(sum('decode')).toBeGreaterThan(sum('caption'));
  });

  it('the check models both parts: 4 DiT GPUs and the server GPU with its own breakdown, no NCCL on the server', () => {
    const gpus = predictPerGpu({ recipe: 'step-video-t2v', mode: 'xdit-parallel', settings: {} }, parseHardwareSpec('5x H100'));
    expect(gpus.map((g) => g.role)).toEqual(['dit', 'dit', 'dit', 'dit', 'server']);
    const server = gpus[4];
    const keys = server.breakdown.map((b) => b.key);
    expect(keys).toEqual(expect.arrayContaining(['weights.step_llm', 'weights.hunyuan_clip', 'weights.vae', 'vae_decode', 'cuda_context']));
    expect(keys).not.toContain('nccl');
    expect(server.requiredBytes / GB).toBeGreaterThan(17);
    expect(server.requiredBytes / GB).toBeLessThan(23);
  });
});

describe('a run folder with companion logs', () => {
  it('a startup failure is read back from the launcher\'s line when the ranks left nothing', async () => {
    const { applyCompanionLogs } = await import('../../../shared/failures/companion');
    const log = 'Loading text encoders\nFileNotFoundError: no text encoder\n[lal] LAL_COMPANION_START name=caption-vae pid=9 port=8080 at=x\n[lal] LAL_COMPANION_NOT_READY name=caption-vae reason=exited code=1\n';
    const d = applyCompanionLogs([{ name: 'caption-vae', port: 0, logText: log, logFile: 'companions/caption-vae.log' }], []);
    expect(d).toEqual([expect.objectContaining({ code: 'COMPANION_EXITED_EARLY', fields: expect.objectContaining({ port: 8080, exitCode: '1', lastLine: 'Loading text encoders | FileNotFoundError: no text encoder' }) })]);
  });

  it('a dead server goes first and the ranks\' symptoms are marked consequences, order kept', async () => {
    const { applyCompanionLogs } = await import('../../../shared/failures/companion');
    const log = '[lal] LAL_COMPANION_START name=caption-vae pid=9 port=41000 at=x\n[lal] LAL_COMPANION_EXIT name=caption-vae code=null signal=SIGKILL during=run at=t\n';
    const ranks: Diagnosis[] = [{ code: 'COMPANION_UNREACHABLE', rank: 0, evidence: null }, { code: 'CUDA_OOM', rank: 2, evidence: null }];
    const d = applyCompanionLogs([{ name: 'caption-vae', port: 0, logText: log, logFile: 'companions/caption-vae.log' }], ranks);
    expect(d.map((x) => [x.code, !!x.consequence])).toEqual([['COMPANION_DIED', false], ['COMPANION_UNREACHABLE', true], ['CUDA_OOM', false]]);
    expect(d[0].fields).toMatchObject({ exitCode: 'SIGKILL', port: 41000 });
  });
});

describe('run view state and the preset', () => {
  it('companion events fold into the live run by name, newest state wins', async () => {
    const { emptyLive, foldEvent } = await import('../../../renderer/src/state/live-run');
    let live = emptyLive('r');
    live = foldEvent(live, { type: 'companion', runId: 'r', name: 'caption-vae', state: 'starting', port: 8080, pid: 5 });
    live = foldEvent(live, { type: 'companion', runId: 'r', name: 'caption-vae', state: 'ready', port: 8080, pid: 5 });
    expect(live.companions).toEqual({ 'caption-vae': { state: 'ready', port: 8080 } });
    expect(live.status).toBe('starting');
  });

  it('the Step-Video CPU preset plans through the same builder (4 ranks, the server beside them)', async () => {
    const { getPreset } = await import('../../../shared/profiles/presets');
    const p = getPreset('step-video-rehearsal-cpu')!;
    const built = buildPlan({
      spec: { recipe: p.recipe, mode: p.mode, settings: p.settings },
      recipe: stepVideoRehearsal,
      runId: 'r2',
      runDir: '/tmp/lal-run-r2',
      resourcesDir: '/opt/lal/resources',
      torchrun: { argv: ['torchrun'], python: 'python3', patched: false, reason: '' },
      port: 29500,
    });
    expect(built.nproc).toBe(4);
    expect(built.plan.env.CUDA_VISIBLE_DEVICES).toBe('');
  });
});
