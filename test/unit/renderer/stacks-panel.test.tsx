import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { StallBanner } from '../../../renderer/src/run/StallBanner';
import { StacksPanel } from '../../../renderer/src/run/StacksPanel';
import { StoreProvider } from '../../../renderer/src/state/context';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { headline, rankWhere } from '../../../shared/stacks/explain';
import type { StacksReport } from '../../../shared/stacks/types';
import { fakeApi } from './fake-api';

/** Issue 22 in the run view: the stall card says where the ranks are; "Where is it now?" asks at any time. */
afterEach(() => {
  cleanup();
  setLanguage('en');
});

const WL = '/opt/lal/resources/workloads/lalwork';
const recv = `Current thread 0x1 (most recent call first):\n  File "/usr/lib/python3/dist-packages/torch/distributed/distributed_c10d.py", line 1187 in recv\n  File "${WL}/pipeline.py", line 361 in run_tpp\n  File "${WL}/../rehearsal.py", line 95 in <module>\n`;
const fire = `Current thread 0x2 (most recent call first):\n  File "${WL}/faults.py", line 64 in _fire\n  File "${WL}/pipeline.py", line 355 in run_tpp\n  File "${WL}/../rehearsal.py", line 95 in <module>\n`;

function report(): StacksReport {
  const opts = { pipeline: true, nproc: 5 };
  const ranks = [rankWhere({ rank: 3, pid: 13, text: fire, clip: 2, step: 1 }, opts), rankWhere({ rank: 4, pid: 14, text: recv, clip: 2, step: 1 }, opts)];
  const h = headline(ranks, [3]);
  return { at: '2026-01-01T00:00:00Z', ranks, culprit: h.culprit, summary: h.text, flight: [], dumpMs: 120, folder: '/runs/x/stacks' };
}

describe('stall card and "Where is it now?"', () => {
  it('the stall card names the waiting rank, the op, the line and the rank it waits for, in both languages', () => {
    render(<StallBanner stall={{ type: 'stall', runId: 'r', ranks: [0, 1, 2, 3, 4], advanced: [], behind: [2, 3], idleSec: 31, gpus: [], action: 'notify', where: report() }} active onStop={() => undefined} />);
    expect(screen.getByTestId('stall-where').textContent).toBe('Where: rank 4 waits in dist.recv (lalwork/pipeline.py:361) for rank 3, which is at clip 2, step 1 in _fire (lalwork/faults.py:64)');
    expect(screen.getByTestId('stacks-rank-3').getAttribute('data-kind')).toBe('compute');
    act(() => setLanguage('zh-CN'));
    expect(screen.getByTestId('stall-where').textContent).toMatch(/^位置：rank 4 在 dist\.recv（lalwork\/pipeline\.py:361）等待 rank 3/);
  });

  it('a stall without stacks shows the card as before', () => {
    render(<StallBanner stall={{ type: 'stall', runId: 'r', ranks: [1], advanced: [0], idleSec: 31, gpus: [] }} active onStop={() => undefined} />);
    expect(screen.queryByTestId('stall-where')).toBeNull();
  });

  it('the button asks the contract for this run and shows every rank', async () => {
    const { api, calls } = fakeApi({ dumpStacks: async () => report() });
    render(
      <StoreProvider store={createAppStore(api)}>
        <StacksPanel runId="run-1" active />
      </StoreProvider>,
    );
    fireEvent.click(screen.getByTestId('where-now'));
    await waitFor(() => expect(screen.getByTestId('stacks-summary')).toBeTruthy());
    expect(calls.find((c) => c.method === 'dumpStacks')?.input).toEqual({ runId: 'run-1' });
    expect(screen.getByTestId('stacks-rank-4').textContent).toContain('waits in dist.recv (lalwork/pipeline.py:361) for rank 3');
  });

  it('an error is shown, not thrown; an ended run has no button', async () => {
    const { api } = fakeApi({ dumpStacks: async () => Promise.reject(new Error('run r is not running')) });
    const { rerender } = render(
      <StoreProvider store={createAppStore(api)}>
        <StacksPanel runId="r" active />
      </StoreProvider>,
    );
    fireEvent.click(screen.getByTestId('where-now'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('run r is not running'));
    rerender(
      <StoreProvider store={createAppStore(api)}>
        <StacksPanel runId="r" active={false} />
      </StoreProvider>,
    );
    expect(screen.queryByTestId('where-now')).toBeNull();
  });
});
