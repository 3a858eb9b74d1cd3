/**
 * `models fetch NAME`: a model's raw files (e.g. a Hugging Face ONNX export) into
 * `<models>/downloads/NAME/`, whole or not at all. They are not a bundle yet: `models import-clip`
 * makes one from the folder.
 */
import * as path from 'path';
import { modelsDir } from '../bundle/load';
import { FetchedFile, fetchFiles, FileProgress, writeFetched } from './fetch-files';
import { intoPlace } from './place';
import { baseUrlFor, MODEL_SOURCES, sourceNamed } from './sources';

export interface FetchOptions {
  /** Base URL of a mirror serving the same relative paths (default: $ALTBRIDGE_MIRROR/NAME/, else the public source). */
  from?: string;
  /** Target folder. */
  out?: string;
  /** Replace an existing target folder. */
  force?: boolean;
  onProgress?: FileProgress;
}

export interface FetchedModel {
  dir: string;
  baseUrl: string;
  files: FetchedFile[];
}

const defaultModelDir = (name: string): string => path.join(modelsDir(), 'downloads', name);

export async function fetchModel(name: string | undefined, o: FetchOptions = {}): Promise<FetchedModel> {
  const source = sourceNamed('models', MODEL_SOURCES, name);
  const baseUrl = baseUrlFor(source.name, source.baseUrl, o.from);
  const dir = path.resolve(o.out ?? defaultModelDir(source.name));
  const files = await intoPlace(dir, o.force ?? false, async (tmp) => {
    const got = await fetchFiles(baseUrl, source.files, tmp, o.onProgress);
    writeFetched(tmp, source.name, baseUrl, got);
    return got;
  });
  return { dir, baseUrl, files };
}
