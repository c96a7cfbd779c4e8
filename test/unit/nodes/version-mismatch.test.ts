import { describe, expect, it } from 'vitest';
import { explainLogs } from '../../../shared/failures/explain';
import { describe as words } from '../../../shared/failures/describe';
import type { Diagnosis } from '../../../shared/failures/types';

/**
 * A version mismatch between nodes that shows only at run time (issue 18 §5): NCCL's own WARN on a
 * node, or a node's torch failing to find an NCCL symbol at import. Also: node lines are never
 * skipped by the explainer's literal prefilter, even deep inside healthy noise.
 */
const explain = (text: string): Diagnosis[] => explainLogs([{ name: 'console.log', text }]);
/** Healthy output with none of the prefilter's anchors: what a long run prints between failures. */
const noise = (n: number, node = 'lal-n0') => Array.from({ length: n }, (_, i) => `[node:${node}] step ${i}: loss 0.${i % 97} lr 1e-4 tokens ${i * 7}`).join('\n');

describe('node version mismatch at run time', () => {
  it("NCCL's mismatch warning on one node names that node and both versions, in en and zh, over the single-machine code", () => {
    const d = explain(
      [
        '[lal] starting 2 nodes, rendezvous gpu-a:29500',
        '[node:gpu-b] gpu-b:4242:4300 [0] NCCL INFO Bootstrap : Using eth0:10.0.0.2<0>',
        '[node:gpu-b] gpu-b:4242:4300 [0] init.cc:650 NCCL WARN Mismatched NCCL version detected : rank 2 version 21405 rank 0 version 22105',
        '[node:gpu-b] torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1275, invalid usage, NCCL version 2.14.5',
      ].join('\n'),
    );
    const m = d.find((x) => x.code === 'NODE_VERSION_MISMATCH');
    expect(m?.fields).toMatchObject({ node: 'gpu-b', rankA: '2', versionA: '21405', rankB: '0', versionB: '22105' });
    expect(d[0].code).toBe('NODE_VERSION_MISMATCH');
    expect(d.some((x) => x.code === 'NCCL_MISMATCH')).toBe(false);
    const en = words(m!, 'en');
    expect(en.title).toBe('Node gpu-b runs another NCCL than the other nodes');
    expect(en.explanation).toContain('rank 2: 21405, rank 0: 22105');
    expect(en.fix).toContain('torch.cuda.nccl.version()');
    const zh = words(m!, 'zh-CN');
    expect(zh.title).toContain('节点 gpu-b');
    for (const s of [en.title, en.explanation, en.fix, zh.title, zh.explanation, zh.fix]) expect(s).not.toMatch(/\{\w+\}|\[\[|\]\]/);
  });

  it('a node whose torch loads another libnccl (undefined symbol at import) is named with the symbol', () => {
    const d = explain("[node:gpu-b] ImportError: /opt/venv/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: ncclCommRegister\n");
    const m = d.find((x) => x.code === 'NODE_VERSION_MISMATCH');
    expect(m?.fields).toMatchObject({ node: 'gpu-b', symbol: 'ncclCommRegister' });
    expect(words(m!, 'en').explanation).toContain('NCCL function ncclCommRegister');
  });

  it('the same warning on one machine (no node prefix) stays the single-machine NCCL_MISMATCH', () => {
    const d = explain('[rank1]: NCCL WARN Mismatched NCCL version detected : rank 1 version 21405 rank 0 version 22105\n');
    expect(d.map((x) => x.code)).toContain('NCCL_MISMATCH');
    expect(d.map((x) => x.code)).not.toContain('NODE_VERSION_MISMATCH');
  });
});

describe('the failure-log prefilter keeps node lines', () => {
  // Each node line alone between thousands of healthy lines: only the prefilter's anchors bring it to the matcher.
  const cases: [string, string, Record<string, string>][] = [
    ['[lal] LAL_NODE_LOST node=lal-n1 host=lal-n1 at=2026-12-06T19:59:12.345Z ssh_exit=255 (NodeLostError)', 'NODE_LOST', { node: 'lal-n1' }],
    ['[lal] LAL_NODE_NEVER_JOINED node=lal-n1 host=lal-n1 (NodeNeverJoinedError)', 'NODE_NEVER_JOINED', { node: 'lal-n1' }],
    ["[node:lal-n0] WARNING:torch.distributed.elastic.rendezvous.dynamic_rendezvous:The node 'lal-n0_207_0' has failed to send a keep-alive heartbeat to the rendezvous '20261206-1' due to an error of type RendezvousConnectionError.", 'NODE_HEARTBEAT', { node: 'lal-n0' }],
    ['[node:lal-n1] RuntimeError: [enforce fail at ./gloo/transport/tcp/device.cc:80] ifa != nullptr. Unable to find address for: eth9', 'NODE_SOCKET_INTERFACE', { node: 'lal-n1', ifname: 'eth9' }],
    ['[node:lal-n1] gpu-b:1:1 [0] NCCL WARN Bootstrap : no socket interface found', 'NODE_SOCKET_INTERFACE', { node: 'lal-n1' }],
    ['[node:lal-n1] [E socket.cpp:860] [c10d] The client socket has timed out after 60s while trying to connect to (lal-n0, 29500).', 'NODE_PORT_BLOCKED', { node: 'lal-n1', port: '29500' }],
    ['[node:lal-n1] torch.distributed.elastic.rendezvous.api.RendezvousTimeoutError', 'NODE_RENDEZVOUS_TIMEOUT', { node: 'lal-n1' }],
    ['[node:lal-n1] NCCL WARN Mismatched NCCL version detected : rank 3 version 21405 rank 0 version 22105', 'NODE_VERSION_MISMATCH', { node: 'lal-n1' }],
  ];
  for (const [line, code, fields] of cases) {
    it(`${code} is found between 3000 lines of noise`, () => {
      const d = explain(`${noise(1500)}\n${line}\n${noise(1500, 'lal-n1')}\n`);
      expect(d.find((x) => x.code === code)?.fields).toMatchObject(fields);
    });
  }
});
