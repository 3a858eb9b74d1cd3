/**
 * What a ShapesWorld report states, measured once (measure.ts) and then rendered (REPORT.md, the
 * figures) and kept as results.json, so the report can be redrawn or checked without the hour of
 * training behind it. Plain JSON: numbers, strings, arrays, records.
 */
import type { CaptionScores } from '../../worker/metrics';
import type { ShapesBuild } from './build';
import type { Attribute, ErrorSummary } from './errors';
import type { Publishing } from './publishing';

/** Mean cosine of rows with their own partners and with a derangement of them. */
export interface Cosines {
  paired: number;
  unpaired: number;
}

export interface Scored {
  /** What the row is, as the report's tables name it. */
  name: string;
  scores: CaptionScores;
}

/** Points of a PCA plane fitted on the union of the groups. */
export interface Projection {
  explained: [number, number];
  groups: { name: string; points: [number, number][] }[];
}

/** The ablation's variants, in table order. */
export const ABLATION = ['plain', 'bridging', 'diffusionBridge', 'augmentOnly'] as const;
/** The methods compared on the same images, in table order. */
export const METHODS = ['capdec', 'c3', 'decap', 'diffusionBridge', 'oracle'] as const;
/** Their short names. */
export const METHOD_NAMES: Record<(typeof METHODS)[number], string> = { capdec: 'CapDec', c3: 'C3', decap: 'DeCap', diffusionBridge: 'Diffusion Bridge', oracle: 'oracle' };
/** Whose captions the error analysis checks, in table order. */
export const ERROR_ROWS = ['diffusionBridge', 'plain', 'capdec', 'oracle', 'references'] as const;
/** How the error table and figure name those rows. */
export const ERROR_NAMES: Record<(typeof ERROR_ROWS)[number], string> = { diffusionBridge: 'Diffusion Bridge', plain: 'plain', capdec: 'CapDec', oracle: 'oracle', references: 'references' };

export interface ShapesResults {
  run: {
    command: string;
    /** YYYY-MM-DD of the run. */
    date: string;
    cpus: number;
    minutes: number;
    /** Of which building the bundle. */
    bundleMinutes: number;
    recipe: ShapesBuild;
    beam: number;
  };
  /** The bridging settings of the method's rows (the paper's M), the bundle's augmentation step and radius C. */
  bundle: { m: number; s: number; augmentStep: number; scale: number };
  clip: {
    /** Learnt softmax temperature at the end of mini-CLIP training (null when its checkpoint is gone). */
    temperature: number | null;
    /** Held-out images and their captions the retrieval ran on. */
    images: number;
    captions: number;
    recall: { imageToText: Record<number, number>; textToImage: Record<number, number> };
  };
  cosines: {
    /** Normalised CLIP space: a caption with its image, two captions of one image. */
    textImage: Cosines;
    textText: Cosines;
    /** Diffusion space (eq. 6): caption with image, with another caption, with the image bridged from the paper's M. */
    zTextImage: Cosines;
    zTextText: Cosines;
    zTextBridged: Cosines;
    /** ‖ē_text − ē_img‖. */
    meanGap: number;
    /** The same CLIP-space cosines on references that each describe the whole scene (captions.ts wholeSceneCaptions). */
    wholeScene: { textImage: Cosines; textText: Cosines };
  };
  ablation: Record<(typeof ABLATION)[number], Scored>;
  methods: Record<(typeof METHODS)[number], Scored>;
  sweepM: { m: number; test: CaptionScores; val: CaptionScores; cosText: number; textKept: number; nearest: number }[];
  sweepS: { s: number; scores: CaptionScores }[];
  /** Corpus captions the "nearest corpus caption" cosines search, and a held-out caption's own nearest. */
  memory: { rows: number; captionNearest: number };
  /** The larger denoiser of the capacity diagnostic, on the validation split. */
  capacity: { width: number; steps: number; rows: { m: number; bundle: CaptionScores; larger: CaptionScores; nearest: number }[] };
  errors: Record<(typeof ERROR_ROWS)[number], Record<Attribute, ErrorSummary>>;
  /** What the bundle's default threshold T publishes of the held-out images (captioned as the product does). */
  publishing: Publishing;
  samples: { image: string; caption: string; reference: string }[];
  projections: { diffusion: Projection; clip: Projection };
  /** The headline of the report this one replaced (its own "before" when that one had the same recipe); null for a first report. */
  before: Headline | null;
}

/** A report's headline figures (held-out), as the next report of another recipe shows them in its "before" table. */
export interface Headline {
  date: string;
  recipe: ShapesBuild;
  ciderD: Record<(typeof METHODS)[number], number>;
  /** Diffusion Bridge captions: share of colour–shape binding and count claims that are false. */
  binding: number;
  count: number;
  recallAt1: number;
  /** Where the figures come from when not from a results.json. */
  source?: string;
}

export const headline = (r: Pick<ShapesResults, 'run' | 'methods' | 'errors' | 'clip'>): Headline => ({
  date: r.run.date,
  recipe: r.run.recipe,
  ciderD: Object.fromEntries(METHODS.map((k) => [k, r.methods[k].scores.ciderD])) as Headline['ciderD'],
  binding: r.errors.diffusionBridge.binding.rate,
  count: r.errors.diffusionBridge.count.rate,
  recallAt1: r.clip.recall.imageToText[1],
});
