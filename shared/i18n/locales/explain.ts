/** Strings of the explain feature, owned by it. Keep en and zh with the same keys (a test checks). */
export const explain = {
  en: {},
  zh: {},
} as const;
