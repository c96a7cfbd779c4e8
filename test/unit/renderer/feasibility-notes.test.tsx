import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { FeasibilityCard } from '../../../renderer/src/wizard/FeasibilityCard';
import { CalibrationSection } from '../../../renderer/src/settings/CalibrationSection';
import { StoreProvider } from '../../../renderer/src/state/context';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { checkFeasibility, parseHardwareSpec } from '../../../shared/feasibility';
import type { CalibrationView } from '../../../shared/feasibility/calibrate';
import { fakeApi } from './fake-api';

afterEach(() => {
  cleanup();
  setLanguage('en');
});

/** The Mode card says how sure it is: band per GPU, the NCCL link it assumed, the allocator, and the way out. */
describe('FeasibilityCard model notes', () => {
  it('shows each GPU band, the band line, the link and where it came from, and the smallest card when nothing fits', () => {
    const l40s = checkFeasibility({ spec: { recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', settings: { fp8: true } }, hardware: parseHardwareSpec('5xL40S') });
    render(<FeasibilityCard report={l40s} />);
    expect(screen.getAllByTestId('gpu-band')).toHaveLength(5);
    expect(screen.getByTestId('model-note-band').textContent).toMatch(/^Error band of the fullest GPU: \d+\.\d–\d+\.\d GB \(−\d+(\.5)?\/\+\d+(\.5)?%, from 4 held-out ranks; wider, as the real model was never measured here\)\.$/);
    expect(screen.getByTestId('model-note-link').textContent).toBe('NCCL memory assumes PCIe P2P between the GPUs (the usual box for this GPU model).');
    expect(screen.getByTestId('model-note-allocator').textContent).toBe('allocator: expandable_segments');
    cleanup();
    const r4090 = checkFeasibility({ spec: { recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: {} }, hardware: parseHardwareSpec('4xRTX 4090') });
    setLanguage('zh-CN');
    render(<FeasibilityCard report={r4090} />);
    expect(screen.getByTestId('smallest-fit').textContent).toContain('此布局最小可用的卡：4× ');
    expect(screen.getByTestId('model-note-link').textContent).toContain('SHM');
  });
});

describe('Settings: calibration records', () => {
  it('lists the records with why one is ignored, and forgets them on reset', async () => {
    let entries: CalibrationView['entries'] = [
      { runId: 'r-ok', recipe: 'rehearsal', mode: 'single-offload', settings: {}, at: '2026-12-06T20:00:00Z', gpuName: 'NVIDIA H100 80GB HBM3', gpus: [{ index: 0, role: 'single', predictedBytes: 62e9, measuredBytes: 61e9, errorPct: 1.6 }] },
      { runId: 'r-oom', recipe: 'rehearsal', mode: 'single-offload', settings: {}, at: '2026-12-06T20:05:00Z', gpuName: 'NVIDIA H100 80GB HBM3', status: 'failed', ignored: 'status', gpus: [{ index: 0, predictedBytes: 80e9, measuredBytes: 85e9, errorPct: -5.9 }] },
    ];
    const fake = fakeApi({
      calibration: async (input: { action: 'show' | 'reset' }) => {
        if (input.action === 'reset') {
          const removed = entries.length;
          entries = [];
          return { file: '/d/calibration.json', entries, removed };
        }
        return { file: '/d/calibration.json', entries };
      },
    });
    render(
      <StoreProvider store={createAppStore(fake.api, { recheckDelayMs: 0 })}>
        <CalibrationSection />
      </StoreProvider>,
    );
    const list = await screen.findByTestId('calibration-entries');
    expect(list.children).toHaveLength(2);
    expect(list.children[1]!.textContent).toContain('(ignored: the run did not finish (OOM or error))');
    fireEvent.click(screen.getByTestId('calibration-reset'));
    await waitFor(() => expect(screen.getByTestId('calibration-entries').children).toHaveLength(0));
    expect(fake.calls.filter((c) => c.method === 'calibration').map((c) => (c.input as { action: string }).action)).toEqual(['show', 'reset', 'show']);
  });
});
