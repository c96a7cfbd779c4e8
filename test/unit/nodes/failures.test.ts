import { describe, expect, it } from 'vitest';
import { explainLogs } from '../../../shared/failures/explain';
import { describe as words } from '../../../shared/failures/describe';
import { NODE_FAILURE_CODES } from '../../../shared/failures/nodes';
import { nodes } from '../../../shared/i18n/locales/nodes';
import type { Diagnosis } from '../../../shared/failures/types';

/**
 * Node-aware explanations (issue 18): a multi-node run's console carries `[node:NAME] …` lines from
 * every node and `[lal] …` lines from the launcher (resources/nodes/lal_nodes.py). The texts below
 * are the lines these runs printed here (torch 1.13, gloo) or torch's own wording.
 */
const explain = (text: string): Diagnosis[] => explainLogs([{ name: 'console.log', text }]);
const CJK = /[\u4e00-\u9fff]/;

describe('multi-node failure codes', () => {
  it('a lost node: named, with host and time, in both languages', () => {
    const d = explain(
      [
        '[lal] starting 2 nodes, rendezvous lal-n0:29500',
        '[node:lal-n0] 25%|██▌       | 1/4 [00:01<00:03,  1.02s/it]',
        '[lal] LAL_NODE_LOST node=lal-n1 host=lal-n1 at=2026-12-06T19:59:12.345Z ssh_exit=255 (NodeLostError)',
        '[lal] stopping every node: node lal-n1 ended first',
      ].join('\n'),
    );
    const lost = d.find((x) => x.code === 'NODE_LOST');
    expect(lost?.fields).toMatchObject({ node: 'lal-n1', host: 'lal-n1', at: '2026-12-06T19:59:12.345Z' });
    const en = words(lost!, 'en');
    expect(en.title).toBe('Node lal-n1 was lost');
    expect(en.explanation).toContain('at 2026-12-06T19:59:12.345Z');
    expect(words(lost!, 'zh-CN').title).toMatch(/节点 lal-n1/);
  });

  it('the wrong interface on one node (gloo\'s own message) names that node and the interface', () => {
    const d = explain('[node:lal-n1] RuntimeError: [enforce fail at ./gloo/transport/tcp/device.cc:80] ifa != nullptr. Unable to find address for: eth9\n');
    const s = d.find((x) => x.code === 'NODE_SOCKET_INTERFACE');
    expect(s?.fields).toMatchObject({ node: 'lal-n1', ifname: 'eth9' });
    expect(words(s!, 'en').explanation).toContain('(eth9)');
  });

  it('a node that cannot reach the store; a keep-alive heartbeat failure; a rendezvous timeout; a node that never joined', () => {
    const d = explain(
      [
        '[node:lal-n1] [E socket.cpp:860] [c10d] The client socket has timed out after 60s while trying to connect to (lal-n0, 29500).',
        "[node:lal-n0] WARNING:torch.distributed.elastic.rendezvous.dynamic_rendezvous:The node 'lal-n0_207_0' has failed to send a keep-alive heartbeat to the rendezvous '20261206-1' due to an error of type RendezvousConnectionError.",
        '[node:lal-n0] torch.distributed.elastic.rendezvous.api.RendezvousTimeoutError',
        '[lal] LAL_NODE_NEVER_JOINED node=lal-n1 host=lal-n1 (NodeNeverJoinedError)',
      ].join('\n'),
    );
    const codes = d.map((x) => x.code);
    expect(codes).toEqual(expect.arrayContaining(['NODE_PORT_BLOCKED', 'NODE_HEARTBEAT', 'NODE_RENDEZVOUS_TIMEOUT', 'NODE_NEVER_JOINED']));
    expect(d.find((x) => x.code === 'NODE_PORT_BLOCKED')?.fields).toMatchObject({ node: 'lal-n1', host: 'lal-n0', port: '29500' });
    expect(d.find((x) => x.code === 'NODE_HEARTBEAT')?.fields).toMatchObject({ node: 'lal-n0' });
  });

  it('a single-machine console (no node prefixes) never yields node codes', () => {
    const d = explain('[default0]:RuntimeError: [enforce fail at ./gloo/transport/tcp/device.cc:80] ifa != nullptr. Unable to find address for: eth9\n[lal] note\n');
    expect(d.some((x) => (NODE_FAILURE_CODES as readonly string[]).includes(x.code))).toBe(false);
  });

  it('every node code has words in en and zh with the same placeholders, and renders without leftovers', () => {
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const code of NODE_FAILURE_CODES) {
      const en = nodes.en.codes[code];
      const zh = nodes.zh.codes[code];
      for (const part of ['title', 'explanation', 'fix'] as const) {
        expect(zh[part]).toMatch(CJK);
        expect(ph(zh[part])).toEqual(ph(en[part]));
      }
      for (const lang of ['en', 'zh-CN'] as const) {
        const w = words({ code, rank: null, evidence: null, fields: { node: 'gpu-b', host: 'gpu-b' } }, lang);
        for (const s of [w.title, w.explanation, w.fix]) expect(s).not.toMatch(/\{\w+\}|\[\[|\]\]/);
      }
    }
  });
});
