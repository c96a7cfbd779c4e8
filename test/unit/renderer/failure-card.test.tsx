import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { FailureCard } from '../../../renderer/src/run/FailureCard';
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
