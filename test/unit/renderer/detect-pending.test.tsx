import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { App } from '../../../renderer/src/App';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { supersedes } from '../../../renderer/src/state/slices/machine';
import { PythonPicks } from '../../../renderer/src/settings/PythonPicks';
import type { DetectReport } from '../../../shared/detect/types';
import { fakeApi, report } from './fake-api';

/** Issue 17: Home draws the GPUs from the early `detectUpdated` report and fills Python in when it arrives. */
afterEach(() => {
  cleanup();
  setLanguage('en');
});

const early = (): DetectReport => ({ ...report(4), takenAt: '2026-11-22T09:00:00.100Z', python: [], pending: { python: true, checkout: true } });
const full = (): DetectReport => ({
  ...report(4),
  takenAt: '2026-11-22T09:00:05Z',
  python: [{ path: '/usr/bin/python3', source: 'path', ok: true, pythonVersion: '3.11.2', torchVersion: '2.8.0', torchCuda: '12.8' }],
});

describe('GPUs first, the rest as it arrives', () => {
  it('shows every GPU while Python is still probed, then the interpreters once the full report lands', async () => {
    let answer: (r: DetectReport) => void = () => undefined;
    const { api, emit } = fakeApi({ detect: () => new Promise<DetectReport>((r) => (answer = r)), listRuns: async () => [], listProfiles: async () => [] });
    render(<App store={createAppStore(api)} />);
    act(() => emit('detectUpdated', early()));
    await waitFor(() => expect(screen.getAllByTestId('gpu-card')).toHaveLength(4));
    expect(screen.getByTestId('python-probing').textContent).toMatch(/Probing Python/);
    expect(screen.getByTestId('checkout-probing')).toBeTruthy();
    act(() => setLanguage('zh-CN'));
    expect(screen.getByTestId('python-probing').textContent).toMatch(/正在探测 Python/);
    act(() => setLanguage('en'));
    await act(async () => answer(full()));
    await waitFor(() => expect(screen.queryByTestId('python-probing')).toBeNull());
    expect(screen.getByText('/usr/bin/python3')).toBeTruthy();
    expect(screen.queryByTestId('checkout-probing')).toBeNull();
  });

  it('an early report that arrives after the full one does not hide what was found', async () => {
    const { api, emit } = fakeApi({ detect: async () => full(), listRuns: async () => [], listProfiles: async () => [] });
    render(<App store={createAppStore(api)} />);
    await waitFor(() => expect(screen.getByText('/usr/bin/python3')).toBeTruthy());
    act(() => emit('detectUpdated', early()));
    expect(screen.queryByTestId('python-probing')).toBeNull();
    expect(screen.getByText('/usr/bin/python3')).toBeTruthy();
  });

  it('supersedes: a full report always wins; an early one only over an older or early one', () => {
    expect(supersedes(full(), early())).toBe(true);
    expect(supersedes(early(), undefined)).toBe(true);
    expect(supersedes(early(), full())).toBe(false);
    expect(supersedes({ ...early(), takenAt: '2026-11-22T10:00:00Z' }, full())).toBe(true);
    expect(supersedes(early(), { ...early(), takenAt: '2026-11-22T10:00:00Z' })).toBe(true);
  });

  it('the Settings Python picker says it is still looking, not "none found", on an early report', () => {
    render(<PythonPicks detect={{ state: 'ready', value: early() }} selected="" onPick={() => undefined} />);
    expect(screen.getByRole('status').textContent).toMatch(/Looking for Python/);
    cleanup();
    render(<PythonPicks detect={{ state: 'ready', value: full() }} selected="" onPick={() => undefined} />);
    expect(screen.getAllByTestId('python-pick')).toHaveLength(1);
  });
});
