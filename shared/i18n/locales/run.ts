/** Strings of the run feature, owned by it. Keep en and zh with the same keys (a test checks). */
export const run = {
  en: {},
  zh: {},
} as const;
