import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { App } from '../../../renderer/src/App';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { ApiFailure } from '../../../shared/api/result';
import type { ImportPreview, Profile } from '../../../shared/profiles/schema';
import type { RunPlan } from '../../../shared/run/types';
import { fakeApi, report } from './fake-api';

/**
 * Issue 18, hostile profiles with nodes, in the app: machines that came from a profile are listed in
 * a consent box in the Machines step; nothing is checked or run on them (no allowNodes) until the
 * user ticks each host, and then every call carries exactly those hosts.
 */
afterEach(() => {
  cleanup();
  setLanguage('en');
  window.location.hash = '';
});

const shared: Profile = {
  format: 'lavprofile', version: 2, name: 'shared', recipe: 'rehearsal', mode: 'tpp-4gpu',
  inputs: {}, settings: { device: 'cpu' }, env: {}, nodes: [{ host: 'evil.example', user: 'root' }, { host: 'gpu-b' }],
};
const plan: RunPlan = { argv: ['python3', '-u', 'lal_nodes.py', '{}'], env: {}, cwd: '/runs/x' } as RunPlan;
const recipes = async () => [{ id: 'rehearsal', label: { en: 'Rehearsal', zh: '彩排' }, modes: [{ id: 'tpp-4gpu', label: { en: '4 processes', zh: '4 进程' }, gpus: 4, nproc: 4 }] }];

describe('wizard Machines step: a profile’s machines need a tick before any ssh', () => {
  it('lists the hosts; Check stays off until both are ticked; then preflightNodes and planRun carry allowNodes', async () => {
    const fake = fakeApi({
      detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [{ name: 'shared', recipe: shared.recipe, mode: shared.mode, pinned: true, builtin: false }],
      listRecipes: recipes, getProfile: async () => shared,
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      planRun: async () => plan,
      preflightNodes: async () => ({ ok: true, port: 29500, ifnames: ['eth0', 'eth0'], checks: [] }),
    });
    render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
    fireEvent.click(await screen.findByTestId('preset'));
    fireEvent.click(await screen.findByTestId('step-hardware'));
    const box = await screen.findByTestId('nodes-consent');
    expect(box.textContent).toContain('Allow ssh to evil.example');
    expect(box.textContent).toContain('Allow ssh to gpu-b');
    expect((screen.getByTestId('machines-check') as HTMLButtonElement).disabled).toBe(true);
    // Plans made so far never carried these hosts.
    for (const c of fake.calls.filter((x) => x.method === 'planRun')) expect((c.input as { allowNodes?: string[] }).allowNodes ?? []).toEqual([]);
    expect(fake.calls.some((c) => c.method === 'preflightNodes')).toBe(false);

    fireEvent.click(within(box).getAllByTestId('node-consent-box').find((b) => b.getAttribute('data-host') === 'evil.example')!);
    expect(screen.getByTestId('nodes-consent').textContent).not.toContain('evil.example');
    expect((screen.getByTestId('machines-check') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(screen.getByTestId('nodes-consent')).getByTestId('node-consent-box'));
    await waitFor(() => expect(screen.queryByTestId('nodes-consent')).toBeNull());
    fireEvent.click(screen.getByTestId('machines-check'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'preflightNodes')).toBe(true));
    expect(((fake.calls.find((c) => c.method === 'preflightNodes')!.input as { allowNodes: string[] }).allowNodes).sort()).toEqual(['evil.example', 'gpu-b']);
    fireEvent.click(screen.getByTestId('step-review'));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'planRun').some((c) => ((c.input as { allowNodes?: string[] }).allowNodes ?? []).length === 2)).toBe(true));
  });

  it('hosts typed into the rows are consent by themselves', async () => {
    const fake = fakeApi({
      detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [],
      listRecipes: recipes,
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      preflightNodes: async () => ({ ok: true, port: 29500, ifnames: [null, null], checks: [] }),
    });
    const store = createAppStore(fake.api, { recheckDelayMs: 0 });
    render(<App store={store} />);
    store.getState().openWizard({ recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cpu' } }, 'hardware');
    fireEvent.click(await screen.findByTestId('machines-enable'));
    const hosts = screen.getAllByTestId('machine-host');
    fireEvent.change(hosts[0], { target: { value: 'mine-a' } });
    fireEvent.change(hosts[1], { target: { value: 'mine-b' } });
    expect(screen.queryByTestId('nodes-consent')).toBeNull();
    fireEvent.click(screen.getByTestId('machines-check'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'preflightNodes')).toBe(true));
    expect((fake.calls.find((c) => c.method === 'preflightNodes')!.input as { allowNodes: string[] }).allowNodes).toEqual(expect.arrayContaining(['mine-a', 'mine-b']));
  });

  it('the import preview lists the machines a profile would ssh to, in en and zh', async () => {
    const preview: ImportPreview = {
      kind: 'code', profile: shared, plan, planError: null, envNeedsConsent: [], flaggedPaths: [], nodeHosts: ['evil.example', 'gpu-b'],
      unparsed: [], feasibility: null, feasibilityError: 'no GPU here', nameTaken: false,
    };
    for (const lang of ['en', 'zh-CN'] as const) {
      setLanguage(lang);
      const fake = fakeApi({ detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [], listRecipes: recipes, previewImport: async () => preview });
      render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
      fireEvent.click(await screen.findByTestId('nav-profiles'));
      fireEvent.change(await screen.findByTestId('import-source'), { target: { value: 'lav2.xxx' } });
      fireEvent.click(screen.getByTestId('import-preview'));
      const note = await screen.findByTestId('import-node-hosts');
      expect(note.textContent).toContain('evil.example, gpu-b');
      expect(note.textContent).toContain(lang === 'en' ? 'runs on other machines over ssh' : '通过 ssh 在其他机器上运行');
      cleanup();
    }
  });
});
