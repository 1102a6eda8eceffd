import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (the folder with package.json and schemas/). Code runs both from `src/`
 * (tests) and from `dist/src/` (CLI), so the depth differs: walk up instead of guessing.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('tongban-gateway: cannot find the package root (schemas/ next to package.json)');
}

/** Absolute path of the package root. */
export const PROJECT_ROOT: string = findRoot();

/** Absolute path of a file under schemas/. */
export function schemaPath(name: string): string {
  return resolve(PROJECT_ROOT, 'schemas', name);
}
