/** Strings of the profile feature, owned by it. Keep en and zh with the same keys (a test checks). */
export const profile = {
  en: {},
  zh: {},
} as const;
