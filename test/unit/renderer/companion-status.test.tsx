import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { CompanionStatus } from '../../../renderer/src/run/CompanionStatus';
import { emptyLive, foldEvent } from '../../../renderer/src/state/live-run';

/** Issue 20 in the run view: the caption/VAE server's state beside the run's, in both languages. */
afterEach(() => {
  cleanup();
  setLanguage('en');
});

describe('companion chip', () => {
  it('shows nothing for a run without companions', () => {
    render(<CompanionStatus live={emptyLive('r')} />);
    expect(screen.queryByTestId('companions')).toBeNull();
  });

  it('follows the pushed states: starting, ready, then not answering marked as failing; zh-CN words', () => {
    let live = foldEvent(emptyLive('r'), { type: 'companion', runId: 'r', name: 'caption-vae', state: 'starting', port: 8080, pid: 7 });
    const { rerender } = render(<CompanionStatus live={live} />);
    expect(screen.getByTestId('companion-chip').textContent).toBe('caption-vae: starting');
    live = foldEvent(live, { type: 'companion', runId: 'r', name: 'caption-vae', state: 'ready', port: 8080, pid: 7 });
    rerender(<CompanionStatus live={live} />);
    expect(screen.getByTestId('companion-chip').getAttribute('data-state')).toBe('ready');
    live = foldEvent(live, { type: 'companion', runId: 'r', name: 'caption-vae', state: 'unhealthy', port: 8080, pid: 7 });
    rerender(<CompanionStatus live={live} />);
    const chip = screen.getByTestId('companion-chip');
    expect(chip.textContent).toBe('caption-vae: not answering');
    expect(chip.className).toContain('failing');
    expect(chip.getAttribute('title')).toBe('port 8080');
    act(() => setLanguage('zh-CN'));
    expect(screen.getByTestId('companion-chip').textContent).toBe('caption-vae：无应答');
  });

  it('a finished run shows the state its record kept', () => {
    const live = { ...emptyLive('r'), record: { companions: [{ name: 'caption-vae', pid: 7, pgid: 7, startTime: '1', port: 41000, state: 'failed', startedAt: 'x', logFile: 'companions/caption-vae.log' }] } } as unknown as ReturnType<typeof emptyLive>;
    render(<CompanionStatus live={live} />);
    expect(screen.getByTestId('companion-chip').textContent).toBe('caption-vae: failed to start');
  });
});
