import type { Lang } from '../../../shared/i18n';
import { translate } from '../../../shared/i18n/translate';

/** Run strings for core and the CLI: `tr('en', 'diag.stallTitle', {ranks: '3'})`, the `run` namespace through the one translate(). */
export function tr(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  return translate('run', key, vars, lang);
}
