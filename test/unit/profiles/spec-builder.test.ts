import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../shared/api/result';
import { parseProfileText } from '../../../shared/profiles/migrate';
import { profileSchema } from '../../../shared/profiles/schema';
import { encodeShareCode, decodeShareCode } from '../../../shared/profiles/share-code';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import type { DetectReport } from '../../../shared/detect/types';
import { EventBus } from '../../../electron/core/events';
import { SettingsStore } from '../../../electron/core/settings';
import type { CoreContext } from '../../../electron/core/context';
import { profilesApi } from '../../../electron/core/profiles/api';
import { planFor } from '../../../electron/core/profiles/preview';
import { profileFromSpec, specFromProfile } from '../../../renderer/src/state/spec';
import { repoRoot, tempDir } from '../../support/temp';
import { profileArb } from './arbitraries';
import { profile } from './helpers';

/**
 * Issue 14 §8: the import preview, the run and the app's wizard build the spec with one function
 * (shared/profiles/spec.ts). A key in both `inputs` and `settings` is refused with a field error
 * (`settings.<key>`), in both languages, wherever the profile comes from.
 */
const twice = { ...profile({ name: 'twice', inputs: { prompt: 'shown in the preview' }, settings: { device: 'cpu' } }) };
const twiceJson = JSON.stringify({ ...twice, settings: { ...twice.settings, prompt: 'used by the run' } });

let dir: ReturnType<typeof tempDir>;
let ctx: CoreContext;
beforeEach(() => {
  dir = tempDir('lal-spec-');
  ctx = { dataDir: dir.path, resourcesDir: join(repoRoot, 'resources'), events: new EventBus(), settings: new SettingsStore(dir.path), detect: async () => ({}) as DetectReport, overrides: {} };
});
afterEach(() => dir.remove());

describe('one spec builder', () => {
  it('a profile with prompt in both inputs and settings is refused, naming settings.prompt, in both languages', () => {
    const r = parseProfileText(twiceJson);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([{ path: 'settings.prompt', message: expect.stringMatching(/also set in "inputs"/) as string, messageZh: expect.stringMatching(/"inputs" 里也设置了它/) as string }]);
    }
    // The contract's own schema (saveProfile) refuses it too.
    expect(profileSchema.safeParse(JSON.parse(twiceJson)).success).toBe(false);
  });

  it('refused the same way from a share code and in the import preview (BAD_INPUT naming the field)', async () => {
    const code = encodeShareCode(JSON.parse(twiceJson) as never);
    expect(decodeShareCode(code)).toMatchObject({ ok: false, errors: [{ path: 'settings.prompt' }] });
    const api = profilesApi(ctx);
    for (const source of [twiceJson, code]) {
      const err = await api.previewImport({ source }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiFailure);
      expect((err as ApiFailure).error).toMatchObject({ code: 'BAD_INPUT', field: 'settings.prompt' });
    }
  });

  it('a profile built in code with the conflict is refused by the builder itself, never merged', () => {
    const bad = { ...twice, settings: { ...twice.settings, prompt: 'used by the run' } };
    expect(() => profileToRunSpec(bad)).toThrow(ApiFailure);
    expect(() => specFromProfile(bad)).toThrow(/settings\.prompt/);
  });

  it('the preview\'s argv and the spec the app opens in the wizard carry the same values (fast-check)', () => {
    fc.assert(
      fc.property(profileArb, (p) => {
        const spec = profileToRunSpec(p);
        expect(specFromProfile(p)).toEqual(spec);
        const { plan } = planFor(ctx, p);
        if (!plan) return;
        const prompt = spec.settings.prompt;
        if (typeof prompt === 'string') expect(plan.argv[plan.argv.indexOf('--prompt') + 1]).toBe(prompt);
        // And back: the app's "save as profile" is the shared inverse.
        expect(profileToRunSpec(profileFromSpec(spec, p.name, false))).toEqual(spec);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
