import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { App } from '../../../renderer/src/App';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { FeasibilityCard } from '../../../renderer/src/wizard/FeasibilityCard';
import { peakVsPrediction } from '../../../renderer/src/history/HistoryScreen';
import type { RunRecord } from '../../../shared/run/types';
import { fakeApi, report } from './fake-api';

afterEach(() => {
  cleanup();
  setLanguage('en');
});

describe('screens', () => {
  it('home shows every GPU, who holds memory, and warnings with their fix', async () => {
    const { api } = fakeApi({ detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [{ name: 'rehearsal-cpu', recipe: 'rehearsal', mode: 'tpp-5gpu', pinned: false, builtin: true }] });
    render(<App store={createAppStore(api)} />);
    await waitFor(() => expect(screen.getAllByTestId('gpu-card')).toHaveLength(4));
    expect(screen.getAllByText('NVIDIA H200')).toHaveLength(4);
    expect(screen.getByText(/Processes holding memory: 1/)).toBeTruthy();
    expect(screen.getByText('flash-attn is missing')).toBeTruthy();
    expect(screen.getByText('install it')).toBeTruthy();
    expect(screen.getByTestId('preset').textContent).toContain('rehearsal-cpu');
  });

  it('a service that has not landed shows an inline note, never a blank screen', async () => {
    const { api } = fakeApi({});
    render(<App store={createAppStore(api)} />);
    await waitFor(() => expect(screen.getAllByTestId('state-unavailable').length).toBeGreaterThanOrEqual(2));
    expect(screen.getByText(/Hardware detection is not available/)).toBeTruthy();
    expect(screen.getByTestId('app-shell')).toBeTruthy();
  });

  it('switches to Chinese from the UI', async () => {
    const { api } = fakeApi({ detect: async () => report(1) });
    render(<App store={createAppStore(api)} />);
    await waitFor(() => screen.getByTestId('gpu-card'));
    act(() => {
      fireEvent.change(screen.getByTestId('lang-select'), { target: { value: 'zh-CN' } });
    });
    await waitFor(() => expect(screen.getByTestId('nav-home').textContent).toBe('首页'));
    expect(screen.getByText('缺少 flash-attn')).toBeTruthy();
  });

  it('a feasibility card stacks each GPU’s need against its free memory and applies a fix on click', () => {
    const onApply = vi.fn();
    render(
      <FeasibilityCard
        onApply={onApply}
        report={{
          verdict: 'does-not-fit', recipe: 'r', mode: 'm', hardware: [{ index: 0, name: 'H200', memoryBytes: 140 * 2 ** 30, availableBytes: 20 * 2 ** 30, computeCapability: '9.0' }],
          perGpu: [{ index: 0, role: 'dit', requiredBytes: 41 * 2 ** 30, availableBytes: 20 * 2 ** 30, breakdown: [{ key: 'weights.dit', bytes: 30 * 2 ** 30 }, { key: 'kv_cache', bytes: 11 * 2 ** 30 }] }],
          reasons: [{ code: 'vram', message: 'GPU 0 needs 41 GiB, 20 GiB free' }],
          suggestions: [{ id: 'fp8', change: { fp8: true }, message: 'Use FP8', verdict: 'fits', savesBytes: 16 * 2 ** 30 }],
        }}
      />,
    );
    expect(screen.getByText('Does not fit')).toBeTruthy();
    expect(screen.getByRole('img', { name: /GPU 0 need: 41.0 GiB of 20.0 GiB/ })).toBeTruthy();
    expect(screen.getByText('DiT weights')).toBeTruthy();
    fireEvent.click(screen.getByTestId('apply-suggestion'));
    expect(onApply).toHaveBeenCalledWith({ fp8: true });
  });

  it('history compares the peak with the prediction on the GPU closest to its limit', () => {
    const r = { peaksMiB: { '0': 30000, '3': 60000 }, predictedBytes: { '0': 35e9, '3': 50e9 } } as unknown as RunRecord;
    expect(peakVsPrediction(r)).toEqual({ gpu: '3', peakMiB: 60000, predictedBytes: 50e9 });
    expect(peakVsPrediction({ peaksMiB: {}, predictedBytes: {} } as unknown as RunRecord)).toBeNull();
  });
});
