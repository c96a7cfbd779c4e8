/** Strings of the detect feature, owned by it. Keep en and zh with the same keys (a test checks). */
export const detect = {
  en: {},
  zh: {},
} as const;
