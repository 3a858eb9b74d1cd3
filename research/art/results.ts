/** What an ArtWorld report states, measured once (measure.ts), rendered (report.ts) and kept as results.json. */
import type { ArtBuild } from './build';
import type { ArtDataSummary } from './dataset';
import type { NameScores } from './score';

export interface MethodRow {
  key: string;
  name: string;
  scores: NameScores;
}

export interface Sample {
  image: string;
  name: string;
  caption: string;
  retrieval: string;
  group: string;
}

interface Cosines {
  paired: number;
  unpaired: number;
}

export interface ArtResults {
  run: { command: string; date: string; cpus: number; minutes: number; bundleMinutes: number; recipe: ArtBuild; beam: number };
  sources: { name: string; version: string; licence: string; use: string }[];
  data: ArtDataSummary;
  bundle: { m: number; s: number; augmentStep: number; mbytes: number };
  emoji: { methods: MethodRow[]; groups: { group: string; scores: NameScores }[]; retrievalGroups: { group: string; scores: NameScores }[]; samples: Sample[] };
  clipart: { methods: MethodRow[]; groups: { group: string; scores: NameScores }[]; samples: Sample[] };
  sweepM: { m: number; test: NameScores; val: NameScores; cosName: number; nearest: number }[];
  cosines: { textImage: Cosines; textText: Cosines; zTextImage: Cosines; zTextBridged: Cosines; meanGap: number };
  /** The ShapesWorld lab bundle on the held-out OpenMoji images. */
  lab: { bundle: string; scores: NameScores };
  published: { threshold: number; chosenWith: Record<string, number | string | boolean>; images: number; right: number; published: number; publishedRight: number };
}
