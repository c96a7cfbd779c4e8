/** Strings of the Settings screen. Same keys in en and zh. */
export const settings = {
  en: { title: 'Settings' },
  zh: { title: '设置' },
};
