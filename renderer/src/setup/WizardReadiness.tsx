import { ReadinessPanel } from '../home/ReadinessPanel';
import { useApp } from '../state/context';

/** The id of the real recipe (shared/recipes/liveavatar.ts); the rehearsal needs no weights. */
const REAL_RECIPE = 'liveavatar-s2v-14b';

/** The readiness checklist inside the wizard, only when the run would use the real weights. */
export function WizardReadiness() {
  const recipe = useApp((s) => s.wizard.spec.recipe);
  return recipe === REAL_RECIPE ? <ReadinessPanel /> : null;
}
