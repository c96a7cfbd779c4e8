/** Strings of the ui feature, owned by it. Keep en and zh with the same keys (a test checks). */
export const ui = {
  en: {},
  zh: {},
} as const;
