import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ApiFailure } from '../../../shared/api/result';
import { PRESETS, getPreset, isPresetName } from '../../../shared/profiles/presets';
import { parseProfileText } from '../../../shared/profiles/migrate';
import { PROFILE_EXTENSION, type Profile, type ProfileSummary } from '../../../shared/profiles/schema';
import { readJson, writeJsonAtomic } from '../json-file';

/**
 * The user's profiles: one `.lavprofile.json` per profile in `<dataDir>/profiles/`, plus the
 * built-in presets, which are read-only (saving over one makes a copy). Which profiles are pinned
 * to the home screen is local state in `pins.json`, never part of a profile file or share code.
 */
export interface StoredProfile {
  profile: Profile;
  builtin: boolean;
  file: string | null;
}

export interface BrokenProfile {
  file: string;
  problem: string;
}

export class ProfileLibrary {
  readonly dir: string;
  private readonly pinsFile: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'profiles');
    this.pinsFile = join(this.dir, 'pins.json');
  }

  /** User profiles first (by name), then presets; files that do not validate come back apart. */
  scan(): { profiles: StoredProfile[]; broken: BrokenProfile[] } {
    const profiles: StoredProfile[] = [];
    const broken: BrokenProfile[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(this.dir).filter((f) => f.endsWith(PROFILE_EXTENSION)).sort();
    } catch {
      names = [];
    }
    const seen = new Set<string>();
    for (const f of names) {
      const file = join(this.dir, f);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        broken.push({ file, problem: (e as Error).message });
        continue;
      }
      const parsed = parseProfileText(text, f.slice(0, -PROFILE_EXTENSION.length));
      if (!parsed.ok) {
        broken.push({ file, problem: parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ') });
        continue;
      }
      if (seen.has(parsed.profile.name) || isPresetName(parsed.profile.name)) {
        broken.push({ file, problem: `another profile is already named "${parsed.profile.name}"` });
        continue;
      }
      seen.add(parsed.profile.name);
      profiles.push({ profile: parsed.profile, builtin: false, file });
    }
    profiles.sort((a, b) => a.profile.name.localeCompare(b.profile.name));
    for (const p of PRESETS) profiles.push({ profile: p, builtin: true, file: null });
    return { profiles, broken };
  }

  list(): ProfileSummary[] {
    const pins = this.pins();
    return this.scan().profiles.map((s) => this.summary(s, pins));
  }

  find(name: string): StoredProfile | undefined {
    const preset = getPreset(name);
    if (preset) return { profile: preset, builtin: true, file: null };
    return this.scan().profiles.find((s) => !s.builtin && s.profile.name === name);
  }

  get(name: string): StoredProfile {
    const found = this.find(name);
    if (!found) throw new ApiFailure({ code: 'NOT_FOUND', field: 'name', message: `no profile or preset named "${name}"` });
    return found;
  }

  exists(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** A free name: "x", then "x (2)", "x (3)", ... */
  freeName(base: string): string {
    if (!this.exists(base)) return base;
    for (let i = 2; ; i++) {
      const candidate = `${base.slice(0, 90)} (${i})`;
      if (!this.exists(candidate)) return candidate;
    }
  }

  /** Write a profile. Presets are never written: a preset's name gets a copy under a free name. */
  save(profile: Profile, overwrite: boolean): ProfileSummary {
    let toSave: Profile = { ...profile };
    delete toSave.pinned;
    if (isPresetName(toSave.name)) toSave = { ...toSave, name: this.freeName(`${toSave.name} (copy)`) };
    const existing = this.find(toSave.name);
    if (existing && !overwrite) {
      throw new ApiFailure({ code: 'CONFLICT', field: 'name', message: `a profile named "${toSave.name}" already exists; choose another name or overwrite it` });
    }
    const file = existing?.file ?? this.fileFor(toSave.name);
    writeJsonAtomic(file, toSave);
    if (profile.pinned !== undefined) this.setPinned(toSave.name, profile.pinned);
    return this.summary({ profile: toSave, builtin: false, file }, this.pins());
  }

  delete(name: string): boolean {
    if (isPresetName(name)) throw new ApiFailure({ code: 'BAD_INPUT', field: 'name', message: `"${name}" is a built-in preset; presets cannot be deleted` });
    const found = this.find(name);
    if (!found?.file) return false;
    unlinkSync(found.file);
    this.setPinned(name, false);
    return true;
  }

  rename(name: string, to: string): ProfileSummary {
    if (isPresetName(name)) throw new ApiFailure({ code: 'BAD_INPUT', field: 'name', message: `"${name}" is a built-in preset; duplicate it to get a copy you can rename` });
    const found = this.get(name);
    if (name === to) return this.summary(found, this.pins());
    if (this.exists(to)) throw new ApiFailure({ code: 'CONFLICT', field: 'to', message: `a profile named "${to}" already exists` });
    const renamed: Profile = { ...found.profile, name: to };
    const file = this.fileFor(to);
    writeJsonAtomic(file, renamed);
    if (found.file && found.file !== file) unlinkSync(found.file);
    const pins = this.pins();
    if (pins.includes(name)) this.writePins(pins.map((p) => (p === name ? to : p)));
    return this.summary({ profile: renamed, builtin: false, file }, this.pins());
  }

  duplicate(name: string, to: string): ProfileSummary {
    const found = this.get(name);
    if (this.exists(to)) throw new ApiFailure({ code: 'CONFLICT', field: 'to', message: `a profile named "${to}" already exists` });
    const copy: Profile = { ...found.profile, name: to };
    delete copy.pinned;
    const file = this.fileFor(to);
    writeJsonAtomic(file, copy);
    return this.summary({ profile: copy, builtin: false, file }, this.pins());
  }

  pin(name: string, pinned: boolean): ProfileSummary {
    const found = this.get(name);
    this.setPinned(name, pinned);
    return this.summary(found, this.pins());
  }

  pins(): string[] {
    const raw = readJson<unknown>(this.pinsFile);
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  }

  private setPinned(name: string, pinned: boolean): void {
    const pins = this.pins().filter((p) => p !== name);
    if (pinned) pins.push(name);
    this.writePins(pins);
  }

  private writePins(pins: string[]): void {
    mkdirSync(this.dir, { recursive: true });
    writeJsonAtomic(this.pinsFile, pins);
  }

  private summary(s: StoredProfile, pins: string[]): ProfileSummary {
    const out: ProfileSummary = { name: s.profile.name, recipe: s.profile.recipe, mode: s.profile.mode, pinned: pins.includes(s.profile.name), builtin: s.builtin };
    if (s.profile.notes) out.notes = s.profile.notes;
    return out;
  }

  /** A file name from the profile name; characters some file systems refuse become `_`. */
  private fileFor(name: string): string {
    const stem = name.replace(/[<>:"|?*\s]+/g, '_').replace(/^\.+/, '_') || 'profile';
    let file = join(this.dir, stem + PROFILE_EXTENSION);
    for (let i = 2; existsSync(file); i++) file = join(this.dir, `${stem}-${i}${PROFILE_EXTENSION}`);
    return file;
  }

}
