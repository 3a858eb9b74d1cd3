/**
 * The named things `models fetch` and `corpus fetch` can download, and where from (https only).
 * A file's sha256/bytes are pinned only as published by a source cited beside them (this project
 * cannot reach the hosts to learn them): unpinned files are checked against a mirror's SHA256SUMS
 * when it has one, and otherwise their computed hashes are printed and recorded in FETCHED.json.
 */

export interface SourceFile {
  /** Relative to the base URL, and to the target folder. */
  path: string;
  sha256: string | null;
  bytes: number | null;
}

export interface ModelSource {
  name: string;
  description: string;
  baseUrl: string;
  files: SourceFile[];
}

export interface CorpusSource {
  name: string;
  description: string;
  baseUrl: string;
  archive: SourceFile;
  /** Caption JSON members of the archive (COCO format) -> the text file each becomes. */
  splits: { member: string; out: string }[];
}

const unpinned = (path: string): SourceFile => ({ path, sha256: null, bytes: null });

export const MODEL_SOURCES: Record<string, ModelSource> = {
  'clip-vit-b32': {
    name: 'clip-vit-b32',
    description: "OpenAI CLIP ViT-B/32 (openai/clip-vit-base-patch32), Xenova's ONNX export on Hugging Face",
    baseUrl: 'https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/main/',
    files: ['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'tokenizer.json', 'preprocessor_config.json', 'config.json'].map(unpinned),
  },
};

export const CORPUS_SOURCES: Record<string, CorpusSource> = {
  'coco-captions': {
    name: 'coco-captions',
    description: 'COCO 2017 caption annotations (train2017 and val2017)',
    baseUrl: 'https://images.cocodataset.org/annotations/',
    // Size and sha256 as published for this URL by TensorFlow Datasets
    // (tensorflow_datasets/url_checksums/coco_captions.txt and coco2017.txt) and, the sha256, by
    // ParlAI (parlai/tasks/coco_caption/build_2017.py).
    archive: { path: 'annotations_trainval2017.zip', bytes: 252_907_541, sha256: '113a836d90195ee1f884e704da6304dfaaecff1f023f49b6ca93c4aaae470268' },
    splits: [
      { member: 'annotations/captions_train2017.json', out: 'train.txt' },
      { member: 'annotations/captions_val2017.json', out: 'val.txt' },
    ],
  },
};

/** The named source, or an error listing the names there are. */
export function sourceNamed<T>(kind: string, table: Record<string, T>, name: string | undefined): T {
  const known = Object.keys(table).join(', ');
  if (!name) throw new Error(`${kind} fetch: which one? (known: ${known})`);
  const s = table[name];
  if (!s) throw new Error(`${kind} fetch: unknown name "${name}" (known: ${known})`);
  return s;
}

/**
 * The base URL files are fetched from: `--from` as given, else `$ALTBRIDGE_MIRROR/<name>/` (one
 * mirror root holding every source in a folder of its name), else the public default.
 */
export function baseUrlFor(name: string, defaultUrl: string, from: string | undefined, mirror = process.env.ALTBRIDGE_MIRROR): string {
  const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);
  if (from) return withSlash(from);
  if (mirror) return `${withSlash(mirror)}${name}/`;
  return defaultUrl;
}
