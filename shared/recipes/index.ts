import type { Recipe } from './types';

/** Every recipe the app knows. Owned by the feasibility/recipes feature. */
export const recipes: Recipe[] = [];

export function getRecipe(id: string): Recipe | undefined {
  return recipes.find((r) => r.id === id);
}
