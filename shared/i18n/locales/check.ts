/** Strings of the check feature, owned by it. Keep en and zh with the same keys (a test checks). */
export const check = {
  en: {},
  zh: {},
} as const;
