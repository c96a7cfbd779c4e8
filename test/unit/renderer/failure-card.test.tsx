import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { cardsOf, FailureCard } from '../../../renderer/src/run/FailureCard';
import type { Diagnosis } from '../../../shared/failures/types';

afterEach(() => {
  cleanup();
  setLanguage('en');
});

const stall: Diagnosis = {
  code: 'STALL',
  rank: 4,
  title: 'The run stopped making progress',
  explanation: 'Rank 4 printed no progress for 30 s.',
  fix: 'Look at rank 4.',
  evidence: null,
  texts: {
    en: { title: 'The run stopped making progress', explanation: 'Rank 4 printed no progress for 30 s.', fix: 'Look at rank 4.' },
    'zh-CN': { title: '运行停止了进展', explanation: '进程 4 已 30 秒没有进展。', fix: '查看进程 4 的日志。' },
  },
};

describe('failure card', () => {
  it('shows the diagnosis in the language the user reads now, whatever the run was started in', () => {
    render(<FailureCard diagnosis={stall} onRelaunch={async () => undefined} onShowRank={() => undefined} />);
    expect(screen.getByText('The run stopped making progress')).toBeTruthy();
    act(() => setLanguage('zh-CN'));
    expect(screen.getByText('运行停止了进展')).toBeTruthy();
    expect(screen.getByText('查看进程 4 的日志。')).toBeTruthy();
  });

  it('falls back to the words it was given when a record has no translations', () => {
    setLanguage('zh-CN');
    render(<FailureCard diagnosis={{ ...stall, texts: undefined }} onRelaunch={async () => undefined} onShowRank={() => undefined} />);
    expect(screen.getByText('The run stopped making progress')).toBeTruthy();
  });
});

describe('failure card of a diagnosis decided without language', () => {
  it('words the code and fields in the language the user reads now (the straggler first)', () => {
    const wd: Diagnosis = { code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2, evidence: null, consequence: true, fields: { laggard: 2, op: 'ALLTOALL_BASE', seq: '7753', numelIn: '1', timeoutMs: '600000' } };
    render(<FailureCard diagnosis={wd} onRelaunch={async () => undefined} onShowRank={() => undefined} />);
    expect(screen.getByText(/^Rank 2 fell behind: .*ALLTOALL_BASE #7753, 1 element\).*within the timeout of 10 minutes/)).toBeTruthy();
    act(() => setLanguage('zh-CN'));
    expect(screen.getByText(/^rank 2 落后了.*10 分钟/)).toBeTruthy();
  });
});

describe('one card per cause', () => {
  const d = (code: string, rank: number | null, title = `${code} ${rank}`): Diagnosis => ({ code, rank, title, explanation: '', fix: '', evidence: null });
  it('folds a rank’s bare exit into the card that says why that rank failed', () => {
    const oom = d('CUDA_OOM', 2);
    const exit2 = d('RANK_EXIT', 2, 'Rank 2 exited with code 1');
    const exit0 = d('RANK_EXIT', 0);
    const cards = cardsOf([exit2, oom, exit0]);
    expect(cards).toEqual([{ diagnosis: oom, exit: exit2 }, { diagnosis: exit0 }]);
  });
  it('keeps an exit with no cause, and a cause with no rank, as their own cards', () => {
    const port = d('PORT_IN_USE', null);
    const exit1 = d('RANK_EXIT', 1);
    expect(cardsOf([port, exit1])).toEqual([{ diagnosis: port, exit: undefined }, { diagnosis: exit1 }]);
  });
  it('shows the folded exit as a line on the cause card', () => {
    render(<FailureCard diagnosis={d('CUDA_OOM', 2, 'GPU 2 ran out of memory')} exit={d('RANK_EXIT', 2, 'Rank 2 exited with code 1')} onRelaunch={async () => undefined} onShowRank={() => undefined} />);
    expect(screen.getByTestId('failure-exit').textContent).toBe('Rank 2 exited with code 1');
  });
});
