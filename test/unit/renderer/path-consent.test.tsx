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
 * Issue 14 §4 in the app: a path outside the output and trusted folders is refused by the planner
 * (CONSENT_REQUIRED with details.paths); the Review's consent box lists it, ticking it re-plans with
 * allowPaths, and Run sends the same consent. The import preview can tick it ahead.
 */
afterEach(() => {
  cleanup();
  setLanguage('en');
  window.location.hash = '';
});

const target = '/home/victim/.bashrc';
const shared: Profile = {
  format: 'lavprofile', version: 2, name: 'shared', recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu',
  inputs: { prompt: 'hi' }, settings: { save_file: target }, env: {},
};
const plan: RunPlan = { argv: ['torchrun', 'x.py', '--save_file', target], env: {}, cwd: '/ckpt' } as RunPlan;
const recipes = async () => [{ id: 'liveavatar-s2v-14b', label: { en: 'Live Avatar', zh: 'Live Avatar' }, modes: [{ id: 'tpp-4gpu', label: { en: '4 GPU', zh: '4 卡' }, gpus: 4, nproc: 4 }] }];
const planner = async (i: { allowPaths?: string[] }) => {
  if (!(i.allowPaths ?? []).includes(target)) {
    throw new ApiFailure({ code: 'CONSENT_REQUIRED', field: 'settings.save_file', message: `reads or writes outside: settings.save_file=${target}`, details: { env: [], paths: [{ field: 'settings.save_file', path: target }] } });
  }
  return plan;
};

describe('wizard Review: paths need consent like env', () => {
  it('lists the refused path in the consent box; ticking re-plans with allowPaths and Run sends it', async () => {
    const fake = fakeApi({
      detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [{ name: 'shared', recipe: shared.recipe, mode: shared.mode, pinned: true, builtin: false }],
      listRecipes: recipes, getProfile: async () => shared,
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      planRun: planner,
      startRun: async () => ({ runId: 'r1' }),
      getRun: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
    });
    render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
    fireEvent.click(await screen.findByTestId('preset'));
    const box = await screen.findByTestId('path-consent');
    expect(box.textContent).toContain(target);
    expect(box.textContent).toContain('settings.save_file');
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(box).getByTestId('path-consent-box'));
    await waitFor(() => expect(screen.getByTestId('command-preview')).toBeTruthy());
    const last = fake.calls.filter((c) => c.method === 'planRun').at(-1)!.input as { allowPaths: string[] };
    expect(last.allowPaths).toEqual([target]);
    // Still listed, still ticked, so it can be taken back.
    expect((within(screen.getByTestId('path-consent')).getByTestId('path-consent-box') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId('run-button'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'startRun')).toBe(true));
    expect((fake.calls.find((c) => c.method === 'startRun')!.input as { allowPaths: string[] }).allowPaths).toEqual([target]);
  });

  it('says it in Chinese too', async () => {
    setLanguage('zh-CN');
    const fake = fakeApi({
      detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [{ name: 'shared', recipe: shared.recipe, mode: shared.mode, pinned: true, builtin: false }],
      listRecipes: recipes, getProfile: async () => shared,
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      planRun: planner,
    });
    render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
    fireEvent.click(await screen.findByTestId('preset'));
    const box = await screen.findByTestId('path-consent');
    expect(box.textContent).toContain('输出文件夹和受信任文件夹之外的路径');
    expect(box.textContent).toContain('允许 settings.save_file');
  });
});

describe('import preview: a flagged path can be allowed ahead, and Save and open carries it to Review', () => {
  it('ticks the path, then Review plans with it allowed', async () => {
    const preview: ImportPreview = {
      kind: 'json', profile: shared, plan, planError: null, envNeedsConsent: [], flaggedPaths: [{ field: 'settings.save_file', path: target }],
      unparsed: [], feasibility: null, feasibilityError: 'no GPU here', nameTaken: false,
    };
    const fake = fakeApi({
      detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [], listRecipes: recipes,
      previewImport: async () => preview,
      saveProfile: async (i: { profile: Profile }) => ({ name: i.profile.name, recipe: shared.recipe, mode: shared.mode, pinned: true, builtin: false }),
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      planRun: planner,
    });
    render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
    fireEvent.click(await screen.findByTestId('nav-profiles'));
    fireEvent.change(await screen.findByTestId('import-source'), { target: { value: '{}' } });
    fireEvent.click(screen.getByTestId('import-preview'));
    fireEvent.click(within(await screen.findByTestId('import-flagged')).getByTestId('path-consent-box'));
    fireEvent.click(screen.getByTestId('import-save-open'));
    await screen.findByTestId('wizard');
    await waitFor(() => expect(screen.getByTestId('command-preview')).toBeTruthy());
    expect((fake.calls.find((c) => c.method === 'planRun')!.input as { allowPaths: string[] }).allowPaths).toEqual([target]);
  });
});
