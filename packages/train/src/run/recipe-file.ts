import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Recipe, RecipeError, resolveRecipe } from '../recipe.js';

/** The folder of the recipes shipped with the package (`recipes/*.json`), from `src/run` or the bundled `dist`. */
function bundledRecipeDir(): string {
  for (const relative of ['../../recipes/', '../recipes/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new RecipeError('the bundled recipes folder is missing from @cat/train');
}

/** Names of the bundled recipes (`tiny-pretrain`, `as20k-finetune`, ...). */
export async function bundledRecipes(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(bundledRecipeDir()))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A recipe from a JSON file or a bundled recipe's name, with `key=value` overrides, validated. */
export async function loadRecipe(
  nameOrPath: string | null,
  overrides: readonly string[] = [],
): Promise<Recipe> {
  if (nameOrPath === null) return resolveRecipe({}, overrides, 'defaults');
  const path = existsSync(nameOrPath) ? nameOrPath : `${bundledRecipeDir()}${nameOrPath}.json`;
  if (!existsSync(path)) {
    throw new RecipeError(
      `no recipe file '${nameOrPath}' (bundled recipes: ${(await bundledRecipes()).join(', ')})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new RecipeError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return resolveRecipe(parsed, overrides, path);
}
