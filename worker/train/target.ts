/** Where a new bundle and its training run go unless told otherwise. */
import * as path from 'path';

/** MODELS/NAME-VERSION for the bundle; runs/NAME-VERSION beside MODELS for its checkpoints (the same name and version resume). */
export function trainTarget(modelsDir: string, name: string, version: string): { out: string; runDir: string } {
  const folder = `${name}-${version}`;
  return { out: path.join(modelsDir, folder), runDir: path.join(modelsDir, '..', 'runs', folder) };
}
