import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import '../../../renderer/src/i18n';
import { setLanguage } from '../../../renderer/src/i18n';
import { App } from '../../../renderer/src/App';
import { patchFrom, toDraft } from '../../../renderer/src/settings/draft';
import { createAppStore } from '../../../renderer/src/state/app-store';
import type { Settings } from '../../../shared/api/contract';
import { ApiFailure, type ApiError } from '../../../shared/api/result';
import type { DetectReport } from '../../../shared/detect/types';
import { fakeApi, report } from './fake-api';

afterEach(() => {
  cleanup();
  setLanguage('en');
  window.location.hash = '';
});

const stored: Settings = {
  language: 'auto', theme: 'system', pythonPath: '/opt/conda/bin/python', checkoutPath: null, outputDir: '/data/out', nvidiaSmiPath: null,
  stallAction: 'notify', trustedFolders: ['/srv/media'],
};

function detected(): DetectReport {
  return {
    ...report(2),
    checkout: { path: '/home/me/LiveAvatar', entryScripts: [], supportedModes: [], components: [], missing: [] },
    python: [
      { path: '/opt/conda/bin/python', source: 'configured', ok: true, pythonVersion: '3.11.9', torchVersion: '2.8.0', torchCuda: '12.8' },
      { path: '/home/me/venv/bin/python', source: 'venv', ok: true, pythonVersion: '3.12.3', torchVersion: null },
      { path: '/usr/bin/python3', source: 'torchrun', ok: false, error: 'timed out' },
    ],
  };
}

type Impl = NonNullable<Parameters<typeof fakeApi>[0]>;

async function openSettings(impl: Impl = {}, initial: Settings = stored) {
  let current = { ...initial };
  const fake = fakeApi({
    getSettings: async () => current,
    setSettings: async (patch: Partial<Settings>) => (current = { ...current, ...patch }),
    detect: async () => detected(),
    listRuns: async () => [],
    listProfiles: async () => [],
    appInfo: async () => ({ name: 'Live Avatar Launcher', version: '1.0.0', transport: 'http', platform: 'linux', dataDir: '/d' }),
    ...impl,
  });
  render(<App store={createAppStore(fake.api, { recheckDelayMs: 0 })} />);
  fireEvent.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('settings-form');
  return fake;
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const refuse = (error: ApiError) => async () => {
  throw new ApiFailure(error);
};

describe('Settings screen', () => {
  it('shows the current settings, with what "automatic" finds for the empty ones', async () => {
    await openSettings();
    expect(input('settings-pythonPath').value).toBe('/opt/conda/bin/python');
    expect(input('settings-outputDir').value).toBe('/data/out');
    expect(input('settings-checkoutPath').value).toBe('');
    await waitFor(() => expect(input('settings-checkoutPath').placeholder).toBe('Automatic: /home/me/LiveAvatar'));
    expect(input('settings-nvidiaSmiPath').placeholder).toBe('Automatic: /usr/bin/nvidia-smi');
    expect(screen.getByLabelText('Live Avatar checkout folder')).toBe(input('settings-checkoutPath'));
    expect(input('stall-notify').checked).toBe(true);
    expect(screen.getAllByTestId('trusted-row').map((r) => r.getAttribute('data-path'))).toEqual(['/srv/media']);
    expect(screen.getByRole('group', { name: 'When a run stops making progress' })).toBeTruthy();
    expect(screen.getByText(/paths are on the machine running `lal serve`/)).toBeTruthy();
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);
  });

  it('saves only what changed, says so, and runs detection again with the new paths', async () => {
    const fake = await openSettings();
    fireEvent.change(input('settings-checkoutPath'), { target: { value: '  /srv/LiveAvatar ' } });
    fireEvent.change(input('settings-outputDir'), { target: { value: '' } });
    fireEvent.click(input('stall-stop'));
    fireEvent.change(input('trusted-new'), { target: { value: '/data/inputs' } });
    fireEvent.keyDown(input('trusted-new'), { key: 'Enter' });
    fireEvent.click(within(screen.getAllByTestId('trusted-row')[0]!).getByTestId('trusted-remove'));
    expect(fake.calls.some((c) => c.method === 'setSettings')).toBe(false);

    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-status').textContent).toBe('Saved. Checking the environment again with the new paths.'));
    expect(screen.getByTestId('settings-status').getAttribute('role')).toBe('status');
    expect(screen.getByTestId('settings-status').getAttribute('aria-live')).toBe('polite');
    expect(fake.calls.filter((c) => c.method === 'setSettings').map((c) => c.input)).toEqual([
      { checkoutPath: '/srv/LiveAvatar', outputDir: null, stallAction: 'stop', trustedFolders: ['/data/inputs'] },
    ]);
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'detect' && (c.input as { refresh?: boolean }).refresh === true)).toBe(true));
    expect(input('settings-checkoutPath').value).toBe('/srv/LiveAvatar');
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);

    // The next edit clears the old "Saved".
    fireEvent.change(input('settings-nvidiaSmiPath'), { target: { value: '/usr/local/bin/nvidia-smi' } });
    expect(screen.getByTestId('settings-status').textContent).toBe('');
  });

  it('shows a refused path under the field core named, in words, and moves focus there', async () => {
    await openSettings({
      setSettings: refuse({ code: 'BAD_INPUT', field: 'outputDir', message: 'outputDir: "out" is not an absolute path', details: { reason: 'not-absolute', value: 'out' } }),
    });
    fireEvent.change(input('settings-outputDir'), { target: { value: 'out' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    const err = await screen.findByTestId('error-outputDir');
    expect(err.textContent).toBe('Output folder must be a full path that starts at the root, such as /home/me/LiveAvatar (got “out”).');
    expect(err.getAttribute('role')).toBe('alert');
    expect(input('settings-outputDir').getAttribute('aria-invalid')).toBe('true');
    expect(input('settings-outputDir').getAttribute('aria-describedby')).toContain(err.id);
    await waitFor(() => expect(document.activeElement).toBe(input('settings-outputDir')));
    expect(screen.queryByTestId('error-checkoutPath')).toBeNull();
    expect(screen.getByTestId('settings-status').textContent).toBe('');

    // Editing another field keeps the message; fixing this one clears it.
    fireEvent.change(input('settings-checkoutPath'), { target: { value: '/x' } });
    expect(screen.getByTestId('error-outputDir')).toBeTruthy();
    fireEvent.change(input('settings-outputDir'), { target: { value: '/data/out2' } });
    expect(screen.queryByTestId('error-outputDir')).toBeNull();
  });

  it('puts a refused trusted folder on its own row, and shows other refusals as sent', async () => {
    let answer: ApiError = { code: 'BAD_INPUT', field: 'trustedFolders.1', message: 'trustedFolders.1: bad', details: { reason: 'control-char', value: '/a' } };
    await openSettings({ setSettings: async () => { throw new ApiFailure(answer); } });
    fireEvent.change(input('trusted-new'), { target: { value: 'media' } });
    fireEvent.click(screen.getByTestId('trusted-add'));
    fireEvent.click(screen.getByTestId('settings-save'));
    const err = await screen.findByTestId('error-trustedFolders.1');
    expect(err.textContent).toBe('A trusted folder cannot contain line breaks or NUL characters.');
    expect(within(screen.getAllByTestId('trusted-row')[1]!).getByTestId('error-trustedFolders.1')).toBe(err);

    answer = { code: 'BAD_INPUT', field: 'pythonPath', message: 'pythonPath: Invalid input: expected string' };
    fireEvent.change(input('settings-pythonPath'), { target: { value: '/x' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('error-pythonPath')).textContent).toBe('pythonPath: Invalid input: expected string');

    answer = { code: 'INTERNAL', message: 'disk full' };
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-error')).textContent).toBe('Could not save: disk full');
  });

  it('a detected Python fills the field in one click; it is saved only on Save', async () => {
    const fake = await openSettings();
    const picks = await screen.findAllByTestId('python-pick');
    expect(picks.map((p) => p.getAttribute('data-path'))).toEqual(['/opt/conda/bin/python', '/home/me/venv/bin/python', '/usr/bin/python3']);
    expect(picks[0]!.getAttribute('aria-pressed')).toBe('true');
    expect(picks[0]!.textContent).toContain('torch 2.8.0');
    expect(picks[1]!.textContent).toContain('no torch');
    expect(picks[2]!.textContent).toContain('does not start: timed out');
    fireEvent.click(picks[1]!);
    expect(input('settings-pythonPath').value).toBe('/home/me/venv/bin/python');
    expect(screen.getAllByTestId('python-pick')[1]!.getAttribute('aria-pressed')).toBe('true');
    expect(fake.calls.some((c) => c.method === 'setSettings')).toBe(false);
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(fake.calls.find((c) => c.method === 'setSettings')?.input).toEqual({ pythonPath: '/home/me/venv/bin/python' }));
  });

  it('Browse… uses the native dialog when there is one, and otherwise says to type the path', async () => {
    let supported = false;
    const fake = await openSettings({ pickPath: async () => ({ path: supported ? '/picked/LiveAvatar' : null, supported }) });
    fireEvent.click(screen.getByTestId('browse-checkoutPath'));
    expect((await screen.findByTestId('nopicker-checkoutPath')).textContent).toBe('No file dialog in a browser: type the path as it is on the server.');
    expect(fake.calls.find((c) => c.method === 'pickPath')?.input).toEqual({ kind: 'folder', title: 'Live Avatar checkout folder' });
    expect(input('settings-checkoutPath').disabled).toBe(false);

    supported = true;
    fireEvent.click(screen.getByTestId('browse-checkoutPath'));
    await waitFor(() => expect(input('settings-checkoutPath').value).toBe('/picked/LiveAvatar'));
    expect(screen.queryByTestId('nopicker-checkoutPath')).toBeNull();
    fireEvent.click(screen.getByTestId('browse-pythonPath'));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'pickPath').at(-1)?.input).toEqual({ kind: 'file', title: 'Python interpreter' }));
    fireEvent.click(screen.getByTestId('browse-trusted'));
    await waitFor(() => expect(screen.getAllByTestId('trusted-row').map((r) => r.getAttribute('data-path'))).toContain('/picked/LiveAvatar'));
  });

  it('trusted folders: no duplicates, and Discard puts everything back', async () => {
    await openSettings();
    fireEvent.change(input('trusted-new'), { target: { value: '/srv/media' } });
    expect((screen.getByTestId('trusted-add') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('This folder is already in the list.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('trusted-remove'));
    expect(screen.queryAllByTestId('trusted-row')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('settings-discard'));
    expect(screen.getAllByTestId('trusted-row')).toHaveLength(1);
    expect(screen.queryByTestId('settings-discard')).toBeNull();
  });

  it('speaks Chinese', async () => {
    await openSettings();
    act(() => setLanguage('zh-CN'));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('设置'));
    expect(screen.getByLabelText('Live Avatar 代码目录')).toBe(input('settings-checkoutPath'));
    expect(screen.getByRole('group', { name: '受信任的文件夹' })).toBeTruthy();
    expect(screen.getByTestId('settings-save').textContent).toBe('保存');
  });
});

describe('settings draft', () => {
  it('a patch holds only changed fields, with empty text as null', () => {
    const d = toDraft(stored);
    expect(patchFrom(d, stored)).toEqual({});
    expect(patchFrom({ ...d, pythonPath: ' ', nvidiaSmiPath: '/usr/bin/nvidia-smi' }, stored)).toEqual({ pythonPath: null, nvidiaSmiPath: '/usr/bin/nvidia-smi' });
    expect(patchFrom({ ...d, trustedFolders: ['/srv/media'] }, stored)).toEqual({});
  });
});

describe('the wizard’s checkout field and the Settings check', () => {
  it('a relative checkout typed in the wizard says why it was not remembered, in the reader’s language', async () => {
    const fake = fakeApi({
      detect: async () => report(1), listRuns: async () => [], listProfiles: async () => [], getSettings: async () => stored,
      listRecipes: async () => [{ id: 'liveavatar-s2v-14b', label: { en: 'Live Avatar', zh: 'Live Avatar' }, modes: [{ id: 'single-offload', label: { en: '1 GPU', zh: '单卡' }, gpus: 1, nproc: 1 }] }],
      setSettings: async () => {
        throw new ApiFailure({ code: 'BAD_INPUT', field: 'checkoutPath', message: 'checkoutPath: must be an absolute path', details: { reason: 'not-absolute', value: 'LiveAvatar' } });
      },
    });
    const store = createAppStore(fake.api, { recheckDelayMs: 0 });
    render(<App store={store} />);
    await waitFor(() => expect(store.getState().recipes.state).toBe('ready'));
    act(() => store.getState().openWizard({ recipe: 'liveavatar-s2v-14b', mode: 'single-offload', settings: {} }, 'inputs'));
    const input = await screen.findByTestId('checkout-path');
    fireEvent.change(input, { target: { value: 'LiveAvatar' } });
    fireEvent.blur(input);
    await waitFor(() => expect(screen.getByTestId('checkout-error').textContent).toMatch(/^Live Avatar checkout folder must be a full path .*“LiveAvatar”/));
    expect(input.getAttribute('aria-invalid')).toBe('true');
    act(() => setLanguage('zh-CN'));
    fireEvent.blur(input);
    await waitFor(() => expect(screen.getByTestId('checkout-error').textContent).toContain('Live Avatar 代码目录'));
  });
});
