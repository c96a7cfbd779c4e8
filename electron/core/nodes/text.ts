import type { Lang } from '../../../shared/i18n';
import { translate } from '../../../shared/i18n/translate';

/** The nodes namespace for core and the CLI, through the one translate(). */
export function trNodes(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  return translate('nodes', key, vars, lang);
}
