import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { App } from '../../../renderer/src/App';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { ApiFailure } from '../../../shared/api/result';
import type { ImportPreview, Profile, ProfileSummary } from '../../../shared/profiles/schema';
import type { RunPlan } from '../../../shared/run/types';
import { fakeApi, report } from './fake-api';

afterEach(() => {
  cleanup();
  setLanguage('en');
  window.location.hash = '';
});

const mine: ProfileSummary = { name: '4090 short', recipe: 'liveavatar-s2v-14b', mode: 'single-gpu', pinned: false, builtin: false };
const preset: ProfileSummary = { name: 'rehearsal-cpu', recipe: 'rehearsal', mode: 'tpp-5gpu', pinned: false, builtin: true };

const imported: Profile = {
  format: 'lavprofile', version: 2, name: 'infinite_inference_multi_gpu', recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu',
  inputs: { image: '/home/someone/face.png' }, settings: { num_clip: 10 }, env: { LD_PRELOAD: '/tmp/evil.so', NCCL_DEBUG: 'WARN' },
};
const plan: RunPlan = { argv: ['torchrun', '--nproc_per_node=4', 'minimal_inference/s2v_streaming_interact.py', '--num_clip', '10'], env: { LD_PRELOAD: '/tmp/evil.so', NCCL_DEBUG: 'WARN' }, cwd: '/ckpt' } as RunPlan;
const previewOf = (profile: Profile, extra: Partial<ImportPreview> = {}): ImportPreview => ({
  kind: 'sh', profile, plan, planError: null, envNeedsConsent: Object.keys(profile.env).filter((k) => k === 'LD_PRELOAD'),
  flaggedPaths: profile.inputs.image ? [{ field: 'inputs.image', path: profile.inputs.image }] : [],
  unparsed: [{ line: 3, text: 'cd $HOME/LiveAvatar', reason: 'not a flag or an env assignment' }],
  feasibility: null, feasibilityError: 'no GPU here', nameTaken: false, ...extra,
});

async function openProfiles(impl: Parameters<typeof fakeApi>[0]) {
  const fake = fakeApi({ detect: async () => report(4), listRuns: async () => [], ...impl });
  render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
  fireEvent.click(await screen.findByTestId('nav-profiles'));
  await screen.findByTestId('profiles-screen');
  return fake;
}

describe('Profiles screen: the library', () => {
  it('lists profiles and presets; presets cannot be renamed or deleted', async () => {
    await openProfiles({ listProfiles: async () => [preset, mine] });
    const rows = await screen.findAllByTestId('profile-row');
    expect(rows.map((r) => r.getAttribute('data-name'))).toEqual(['4090 short', 'rehearsal-cpu']);
    expect(within(rows[1]!).queryByTestId('profile-rename')).toBeNull();
    expect(within(rows[1]!).queryByTestId('profile-delete')).toBeNull();
    expect(within(rows[0]!).getByTestId('profile-rename')).toBeTruthy();
  });

  it('rename, duplicate, pin and delete (after a confirmation) call the library and refresh the list', async () => {
    let list = [preset, mine];
    const fake = await openProfiles({
      listProfiles: async () => list,
      renameProfile: async (i: { name: string; to: string }) => { list = list.map((p) => (p.name === i.name ? { ...p, name: i.to } : p)); return list[1]; },
      duplicateProfile: async (i: { name: string; to: string }) => { list = [...list, { ...mine, name: i.to, builtin: false }]; return list.at(-1); },
      pinProfile: async (i: { name: string; pinned: boolean }) => { list = list.map((p) => (p.name === i.name ? { ...p, pinned: i.pinned } : p)); return list[1]; },
      deleteProfile: async (i: { name: string }) => { list = list.filter((p) => p.name !== i.name); return { deleted: true }; },
    });
    const row = () => screen.getAllByTestId('profile-row').find((r) => r.getAttribute('data-name')?.startsWith('4090'))!;
    await waitFor(() => expect(row()).toBeTruthy());

    fireEvent.click(within(row()).getByTestId('profile-rename'));
    fireEvent.change(screen.getByTestId('profile-new-name'), { target: { value: '4090 fp8' } });
    fireEvent.submit(screen.getByTestId('profile-new-name').closest('form')!);
    await waitFor(() => expect(screen.getByTestId('library-status').textContent).toBe('Renamed to “4090 fp8”.'));
    expect(fake.calls.find((c) => c.method === 'renameProfile')?.input).toEqual({ name: '4090 short', to: '4090 fp8' });
    await waitFor(() => expect(row().getAttribute('data-name')).toBe('4090 fp8'));

    fireEvent.click(within(row()).getByTestId('profile-pin'));
    await waitFor(() => expect(fake.calls.find((c) => c.method === 'pinProfile')?.input).toEqual({ name: '4090 fp8', pinned: true }));

    const presetRow = screen.getAllByTestId('profile-row').find((r) => r.getAttribute('data-name') === 'rehearsal-cpu')!;
    fireEvent.click(within(presetRow).getByTestId('profile-duplicate'));
    expect((screen.getByTestId('profile-new-name') as HTMLInputElement).value).toBe('rehearsal-cpu (2)');
    fireEvent.submit(screen.getByTestId('profile-new-name').closest('form')!);
    await waitFor(() => expect(fake.calls.find((c) => c.method === 'duplicateProfile')?.input).toEqual({ name: 'rehearsal-cpu', to: 'rehearsal-cpu (2)' }));

    fireEvent.click(within(row()).getByTestId('profile-delete'));
    expect(fake.calls.some((c) => c.method === 'deleteProfile')).toBe(false);
    fireEvent.click(screen.getByTestId('profile-delete-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('profile-row').map((r) => r.getAttribute('data-name'))).not.toContain('4090 fp8'));
  });

  it('a bad new name shows the library’s error and keeps the form', async () => {
    await openProfiles({
      listProfiles: async () => [mine],
      renameProfile: async () => { throw new ApiFailure({ code: 'BAD_INPUT', field: 'to', message: 'to: names are 1–100 characters without / \\ or control characters' }); },
    });
    fireEvent.click(await screen.findByTestId('profile-rename'));
    fireEvent.change(screen.getByTestId('profile-new-name'), { target: { value: 'a/b' } });
    fireEvent.submit(screen.getByTestId('profile-new-name').closest('form')!);
    await waitFor(() => expect(screen.getByTestId('library-status').textContent).toMatch(/^to: names are/));
    expect(screen.getByTestId('profile-new-name')).toBeTruthy();
  });

  it('export shows the share code by default and the bash script on request', async () => {
    const fake = await openProfiles({
      listProfiles: async () => [mine],
      exportProfile: async (i: { format: string }) => ({ text: i.format === 'sh' ? '#!/usr/bin/env bash\nexec torchrun' : 'lav1.abc', filename: `4090-short.${i.format}` }),
    });
    fireEvent.click(await screen.findByTestId('profile-export'));
    await waitFor(() => expect((screen.getByTestId('export-text') as HTMLTextAreaElement).value).toBe('lav1.abc'));
    fireEvent.click(screen.getByTestId('export-sh'));
    await waitFor(() => expect((screen.getByTestId('export-text') as HTMLTextAreaElement).value).toContain('#!/usr/bin/env bash'));
    expect(fake.calls.filter((c) => c.method === 'exportProfile').map((c) => c.input)).toEqual([{ name: '4090 short', format: 'code' }, { name: '4090 short', format: 'sh' }]);
  });
});

describe('Profiles screen: importing something a stranger shared', () => {
  it('shows what would run, unread lines and flagged paths; Save waits for consent to LD_PRELOAD and sends exactly that name', async () => {
    const fake = await openProfiles({
      listProfiles: async () => [],
      previewImport: async () => previewOf(imported),
      saveProfile: async (i: { profile: Profile }) => ({ ...mine, name: i.profile.name }),
    });
    fireEvent.change(screen.getByTestId('import-source'), { target: { value: 'export LD_PRELOAD=/tmp/evil.so\ntorchrun ...' } });
    fireEvent.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-result');
    expect(screen.getByTestId('command-preview').textContent).toContain('--nproc_per_node=4');
    expect(screen.getByTestId('import-unparsed').textContent).toContain('line 3');
    expect(screen.getByTestId('import-flagged').textContent).toContain('/home/someone/face.png');
    const consent = screen.getByTestId('env-consent');
    expect(consent.textContent).toContain('LD_PRELOAD=/tmp/evil.so');
    expect(consent.textContent).not.toContain('NCCL_DEBUG');
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('import-need-consent')).toBeTruthy();

    fireEvent.click(within(consent).getByTestId('consent-box'));
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByTestId('import-save'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'saveProfile')).toBe(true));
    const saved = fake.calls.find((c) => c.method === 'saveProfile')!.input as { profile: Profile; allowEnv: string[] };
    expect(saved.allowEnv).toEqual(['LD_PRELOAD']);
    expect(saved.profile.env.LD_PRELOAD).toBe('/tmp/evil.so');
    expect(saved.profile.pinned).toBe(true);
  });

  it('Remove drops the variable and previews the edited profile again, keeping the script’s unread lines', async () => {
    const sources: string[] = [];
    const fake = await openProfiles({
      listProfiles: async () => [],
      previewImport: async (i: { source: string }) => {
        sources.push(i.source);
        if (sources.length === 1) return previewOf(imported);
        const p = JSON.parse(i.source) as Profile;
        return previewOf(p, { kind: 'json', unparsed: [] });
      },
      saveProfile: async (i: { profile: Profile }) => ({ ...mine, name: i.profile.name }),
    });
    fireEvent.change(screen.getByTestId('import-source'), { target: { value: 'script' } });
    fireEvent.click(screen.getByTestId('import-preview'));
    fireEvent.click(await screen.findByTestId('consent-remove'));
    await waitFor(() => expect(screen.queryByTestId('env-consent')).toBeNull());
    expect(JSON.parse(sources[1]!).env).toEqual({ NCCL_DEBUG: 'WARN' });
    expect(screen.getByTestId('import-result').textContent).toContain('shell script');
    expect(screen.getByTestId('import-unparsed').textContent).toContain('cd $HOME/LiveAvatar');
    fireEvent.click(screen.getByTestId('import-save'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'saveProfile')).toBe(true));
    expect((fake.calls.find((c) => c.method === 'saveProfile')!.input as { allowEnv: string[] }).allowEnv).toEqual([]);
  });

  it('an opened file too large to be a profile is refused by name, without calling the service', async () => {
    const fake = await openProfiles({ listProfiles: async () => [], previewImport: async () => previewOf(imported) });
    const big = new File(['x'.repeat(5_000_001)], 'weights.bin');
    fireEvent.change(screen.getByTestId('import-file'), { target: { files: [big] } });
    await waitFor(() => expect(screen.getByTestId('import-error').textContent).toContain('weights.bin is larger than 5 MB'));
    expect(fake.calls.some((c) => c.method === 'previewImport')).toBe(false);
  });

  it('a name already taken must be changed before saving', async () => {
    await openProfiles({ listProfiles: async () => [], previewImport: async () => previewOf({ ...imported, env: {} }, { nameTaken: true }) });
    fireEvent.change(screen.getByTestId('import-source'), { target: { value: '{}' } });
    fireEvent.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-name-taken');
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('import-name'), { target: { value: 'mine now' } });
    expect((screen.getByTestId('import-save') as HTMLButtonElement).disabled).toBe(false);
  });

  it('bad input lists every problem by field or line, in the reader’s language', async () => {
    await openProfiles({
      listProfiles: async () => [],
      previewImport: async () => {
        throw new ApiFailure({
          code: 'BAD_INPUT', field: 'settings.num_clip', message: 'settings.num_clip: must be a finite number',
          details: { errors: [{ path: 'settings.num_clip', message: 'must be a finite number', messageZh: '必须是有限数字' }, { path: 'gpus', message: 'a GPU index is listed twice' }] },
        });
      },
    });
    fireEvent.change(screen.getByTestId('import-source'), { target: { value: '{"format":"lavprofile"}' } });
    fireEvent.click(screen.getByTestId('import-preview'));
    const box = await screen.findByTestId('import-error');
    expect(box.textContent).toContain('settings.num_clip: must be a finite number');
    expect(box.textContent).toContain('gpus: a GPU index is listed twice');
    setLanguage('zh-CN');
    await waitFor(() => expect(screen.getByTestId('import-error').textContent).toContain('必须是有限数字'));
  });

  it('Save and open lands on Review with the consent carried over', async () => {
    const fake = await openProfiles({
      listProfiles: async () => [],
      listRecipes: async () => [{ id: 'liveavatar-s2v-14b', label: { en: 'Live Avatar', zh: 'Live Avatar' }, modes: [{ id: 'tpp-4gpu', label: { en: '4 GPU', zh: '4 卡' }, gpus: 4, nproc: 4 }] }],
      previewImport: async () => previewOf(imported),
      saveProfile: async (i: { profile: Profile }) => ({ ...mine, name: i.profile.name }),
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      planRun: async () => plan,
    });
    fireEvent.change(screen.getByTestId('import-source'), { target: { value: 'script' } });
    fireEvent.click(screen.getByTestId('import-preview'));
    fireEvent.click(within(await screen.findByTestId('env-consent')).getByTestId('consent-box'));
    fireEvent.click(screen.getByTestId('import-save-open'));
    await screen.findByTestId('wizard');
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'planRun')).toBe(true));
    expect((fake.calls.find((c) => c.method === 'planRun')!.input as { allowEnv: string[] }).allowEnv).toEqual(['LD_PRELOAD']);
    expect((within(screen.getByTestId('env-consent')).getByTestId('consent-box') as HTMLInputElement).checked).toBe(true);
  });
});

describe('wizard Review: a saved profile never consents for the user', () => {
  it('opening a profile with LD_PRELOAD plans without it allowed until the box is ticked', async () => {
    const fake = fakeApi({
      detect: async () => report(4), listRuns: async () => [], listProfiles: async () => [{ ...mine, pinned: true }],
      listRecipes: async () => [{ id: 'liveavatar-s2v-14b', label: { en: 'Live Avatar', zh: 'Live Avatar' }, modes: [{ id: 'tpp-4gpu', label: { en: '4 GPU', zh: '4 卡' }, gpus: 4, nproc: 4 }] }],
      getProfile: async () => imported,
      check: async () => { throw new ApiFailure({ code: 'UNAVAILABLE', message: 'no' }); },
      planRun: async (i: { allowEnv: string[] }) => {
        if (!i.allowEnv.includes('LD_PRELOAD')) throw new ApiFailure({ code: 'CONSENT_REQUIRED', field: 'env', message: 'needs consent: LD_PRELOAD' });
        return plan;
      },
    });
    render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
    fireEvent.click(await screen.findByTestId('preset'));
    const consent = await screen.findByTestId('env-consent');
    await waitFor(() => expect(screen.getByText(/needs consent: LD_PRELOAD/)).toBeTruthy());
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(consent).getByTestId('consent-box'));
    await waitFor(() => expect(screen.getByTestId('command-preview')).toBeTruthy());
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(false);
  });
});
