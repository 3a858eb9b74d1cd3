/**
 * REPORT.md from a ShapesWorld results object: the findings, each stated from the numbers with the
 * paper's figure beside it (Diffusion Bridge, CVPR 2025: CLIP ViT-B/32 on COCO), the diagnostics,
 * and every table. No measurement happens here.
 */
import type { CaptionScores } from '../../worker/metrics';
import { ATTRIBUTES } from './errors';
import type { ShapesBuild } from './build';
import { sameHeldOut } from './generate';
import { ABLATION, Cosines, ERROR_NAMES, ERROR_ROWS, headline, Headline, METHOD_NAMES, METHODS, ShapesResults } from './results';

/** The paper's Table 1 (mean cosines, CLIP ViT-B/32 on COCO). */
const PAPER = { textImage: 0.306, textText: 0.652, textBridged: 0.606 };
/** Softmax temperature CLIP training starts from. */
const START_TEMPERATURE = 0.07;

const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const cider = (s: CaptionScores) => (100 * s.ciderD).toFixed(1);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const scoreCells = (s: CaptionScores) => [f3(s.bleu1), f3(s.bleu4), f3(s.rougeL), cider(s)];
const SCORE_HEAD = ['BLEU-1', 'BLEU-4', 'ROUGE-L', 'CIDEr-D (×100)'];
const yes = (ok: boolean) => (ok ? '**reproduces**' : '**does not reproduce**');

/** The entry of `xs` with the largest `key`, the first of equals. */
const best = <T>(xs: T[], key: (x: T) => number): T => xs.reduce((a, b) => (key(b) > key(a) ? b : a));

function findings(r: ShapesResults): string {
  const c = r.cosines;
  const ab = ABLATION.map((k) => r.ablation[k].scores.ciderD);
  const bestM = best(r.sweepM, (x) => x.test.ciderD);
  const chosen = best(r.sweepM, (x) => x.val.ciderD);
  const m = r.methods;
  return [
    `- Modality gap: paired text–image cosine ${f3(c.textImage.paired)} against text–text ${f3(c.textText.paired)} in CLIP space; ‖ē_text − ē_img‖ = ${f3(c.meanGap)}. Paper: ${PAPER.textImage} vs ${PAPER.textText}. The gap ${yes(c.textImage.paired < c.textText.paired - 0.1)}. On references that each describe the whole scene: text–image ${f3(c.wholeScene.textImage.paired)}, text–text ${f3(c.wholeScene.textText.paired)}; the gap ${yes(c.wholeScene.textImage.paired < c.wholeScene.textText.paired - 0.1)} there.`,
    `- Bridging pulls images toward text: cosine to the paired caption in diffusion space ${f3(c.zTextImage.paired)} before, ${f3(c.zTextBridged.paired)} after bridging from M = ${r.bundle.m} (paper: ${PAPER.textImage} → ${PAPER.textBridged}). ${yes(c.zTextBridged.paired > c.zTextImage.paired + 0.02)}.`,
    `- Ablation plain < +bridging < +augmentation (CIDEr-D ${cider(r.ablation.plain.scores)} → ${cider(r.ablation.bridging.scores)} → ${cider(r.ablation.diffusionBridge.scores)}): ${yes(ab[0] < ab[1] && ab[1] < ab[2])}.`,
    `- M sweep: best held-out CIDEr-D at M = ${bestM.m} (validation picks M = ${chosen.m}, held-out ${cider(chosen.test)}); ${yes(bestM.m > 0 && bestM.m < 900)} an optimum inside the range (paper: rising to 600, dipping at 800).`,
    `- Diffusion Bridge against the baselines: CapDec ${cider(m.capdec.scores)}, C3 ${cider(m.c3.scores)}, DeCap ${cider(m.decap.scores)}, Diffusion Bridge ${cider(m.diffusionBridge.scores)}, oracle ${cider(m.oracle.scores)}.`,
  ].join('\n');
}

function diagnostics(r: ShapesResults): string {
  const c = r.cosines;
  const textText = c.textText.paired;
  const pairedRaw = c.textImage.paired;
  const zPaired = c.zTextImage.paired;
  const bPaired = c.zTextBridged.paired;
  const t = r.clip.temperature;
  const atM0 = r.sweepM.find((x) => x.m === r.bundle.m)!;
  const unbridged = r.sweepM[0];
  const deepest = r.sweepM[r.sweepM.length - 1];
  const bigBest = best(r.capacity.rows, (x) => x.larger.ciderD);
  const oracleErr = r.errors.oracle;
  return [
    `- **Text–text.** Two references of one image agree ${textText < PAPER.textText ? `less (${f3(textText)}) than COCO's (${PAPER.textText}): ShapesWorld's five references of one image often describe different things (one lists the objects, another only counts them and names the background)` : `at ${f3(textText)} (COCO: ${PAPER.textText})`}; the paired text–image cosine (${f3(pairedRaw)}) is ${pairedRaw < textText ? 'below' : 'not below'} it. The modality means are ${f3(c.meanGap)} apart (the CLIP-space PCA below shows the two clouds). The mini-CLIP's learnt temperature went from ${START_TEMPERATURE} to ${f3(t)}${t !== null && t < START_TEMPERATURE ? ': a sharper softmax, which pulls paired embeddings closer than a warmer one would' : ''}.`,
    `- **Cosine to the paired caption vs the text distribution.** From M = ${unbridged.m} to ${r.bundle.m} the cosine with the image's own references goes ${f3(zPaired)} → ${f3(bPaired)} and the cosine with the nearest corpus caption ${f3(unbridged.nearest)} → ${f3(atM0.nearest)} (a held-out caption's own nearest: ${f3(r.memory.captionNearest)}). ${bPaired < zPaired && atM0.nearest > unbridged.nearest ? 'Bridging moves images onto the text distribution rather than onto their own captions; the decoder was trained on that distribution, so captions can improve while the embedding loses some of the image\'s specifics. The paper\'s "pull toward the text distribution" holds here; its Table-1 reading (a higher cosine to the paired caption) does not.' : 'Read with the M sweep below.'}`,
    `- **M.** A caption bridged from M = ${deepest.m} keeps ${f3(deepest.textKept)} of itself (cosine with its unbridged embedding)${deepest.textKept > 0.9 ? ': fed a clean embedding where it expects a noisy one, the denoiser moves it little even from deep steps, so deep bridging does not destroy content here, which is why the sweep need not turn down' : ''}. Denoiser capacity is the natural suspect, so a ${r.capacity.width}-wide denoiser trained ${r.capacity.steps} steps bridged the validation images for the bundle's decoder (best validation M: ${bigBest.m}):`,
    '',
    table(
      ['M', 'validation CIDEr-D, bundle denoiser', 'validation CIDEr-D, larger denoiser', 'nearest corpus caption (larger)'],
      r.capacity.rows.map((x) => [x.m, cider(x.bundle), cider(x.larger), f3(x.nearest)]),
    ),
    '',
    `- **Errors.** Fed each caption's own text embedding, the decoder (the oracle row) still gets ${(100 * oracleErr.binding.rate).toFixed(0)} % of colour–shape bindings and ${(100 * oracleErr.count.rate).toFixed(0)} % of counts wrong: that much of the loss is in the CLIP's embedding and the decoder, before bridging; bridging cannot restore what the embedding does not hold.`,
  ].join('\n');
}

/** What changed in the recipe, key by key. */
function recipeChanges(a: ShapesBuild, b: ShapesBuild): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof ShapesBuild)[];
  const show = (v: unknown) => (v === undefined ? 'none' : `\`${JSON.stringify(v)}\``);
  const changed = keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return changed.length ? changed.map((k) => `${k} ${show(a[k])} → ${show(b[k])}`).join('; ') : 'none';
}

function beforeAndAfter(r: ShapesResults, b: Headline): string {
  const now = headline(r);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `## Before and after
The report this one replaced (${b.date}${b.source ? `; ${b.source}` : ''}) beside this one, held-out. Recipe changes: ${recipeChanges(b.recipe, r.run.recipe)}.${sameHeldOut(b.recipe.data, r.run.recipe.data) ? '' : ' The data options changed the held-out images: the two columns score different scenes of the same generator.'}

${table(
  ['figure', 'before', 'now'],
  [
    ...METHODS.map((k) => [`CIDEr-D, ${METHOD_NAMES[k]}`, (100 * b.ciderD[k]).toFixed(1), (100 * now.ciderD[k]).toFixed(1)]),
    ['Diffusion Bridge: binding claims wrong', pct(b.binding), pct(now.binding)],
    ['Diffusion Bridge: count claims wrong', pct(b.count), pct(now.count)],
    ['mini-CLIP R@1, image → text', f3(b.recallAt1), f3(now.recallAt1)],
  ],
)}`;
}

function publishingSection(r: ShapesResults): string {
  const p = r.publishing;
  const share = (k: number, n: number) => `${k} of ${n} (${n ? ((100 * k) / n).toFixed(1) : 'n/a'} %)`;
  return `## What the default threshold publishes (held-out)
The ${p.captions} held-out images captioned as the product captions them (at the bundle's own M = ${p.m}, chosen on the validation split by the share of captions with no false claim, CIDEr-D between depths that share cannot tell apart; beam ${r.run.beam}), against the bundle's quality calibration (fitted by \`trust calibrate\` on scenes of other seeds and out-of-domain images; reports/trust/REPORT.md) and its default threshold T = ${f3(p.threshold)}. A demonstration bundle publishes only where an admin allows it; these are the captions it would then write without review.

- out of domain (never published): ${p.outOfDomain};
- at or above T, so written: **${share(p.written, p.captions)}**, of which **${share(p.writtenClean, p.written)}** make no false claim;
- every caption: ${share(p.clean, p.captions)} make no false claim.`;
}

export function renderReport(r: ShapesResults): string {
  const run = r.run;
  const recipe = run.recipe;
  const { m: m0, s: s0 } = r.bundle;
  const cos = (x: Cosines) => [f3(x.paired), f3(x.unpaired)];
  const rec = r.clip.recall;
  return `# ShapesWorld report: Diffusion Bridge on a world made here

Generated by \`${run.command}\` on ${run.date} (${run.cpus} CPU cores, onnxruntime CPU): **${run.minutes.toFixed(1)} min wall time** (${run.bundleMinutes < 0.1 ? 'the bundle was already built in the work folder by an earlier run of the same recipe, and only evaluated here' : `bundle ${run.bundleMinutes.toFixed(1)} min, the rest ${(run.minutes - run.bundleMinutes).toFixed(1)} min`}). Every number below comes from that run.

Recipe (seed ${recipe.seed}): ${recipe.data.pairs} image–caption pairs (${recipe.val} kept out as the validation split), ${recipe.data.texts * 5} caption lines for the captioner, ${recipe.data.heldOut} held-out images with 5 references each; ${recipe.data.iid ? 'pairs drawn independently of one another (the validation pairs on streams of their own), ' : ''}mini-CLIP ${recipe.clipSteps} steps${recipe.clipLr ? ` at peak learning rate ${recipe.clipLr}` : ''}${recipe.clip?.vision.pool ? ` with a CNN image tower (3x3 convolutions of ${recipe.clip.vision.convs?.map((c) => c.channels).join(', ')} channels averaged over positions)` : ''}${recipe.hardNegatives ? ' with a false twin caption beside each true one' : ''}${recipe.lookalikes ? " with each scene's look-alike in its batch" : ''}${recipe.attributes ? ` and a head on its image embedding predicting each scene's shapes, colours, colour–shape pairs and count (weight ${recipe.attributes})` : ''}${recipe.statedAttributes ? `, ${recipe.textHead ? 'a separate head on the text tower' : 'the same head'} predicting from each caption's embedding the shapes, colours and colour–shape pairs it states (weight ${recipe.statedWeight ?? recipe.attributes})` : ''}, denoiser ${recipe.denoiserSteps} steps, decoders ${recipe.decoderSteps} steps each${recipe.decoder ? ` (\`${JSON.stringify(recipe.decoder)}\`)` : ''}, ${recipe.draws} augmentation draws. Beam ${run.beam}. Held-out images are used for nothing but these scores; where a setting is chosen (M), it is chosen on the validation split.

${r.before ? `${beforeAndAfter(r, r.before)}\n\n` : ''}## Findings
${findings(r)}

## Why the findings differ where they do (diagnostics from this run)
${diagnostics(r)}

## The mini-CLIP
${recipe.clipSteps} steps of symmetric InfoNCE, batch 128, on ${recipe.data.pairs - recipe.val} pairs; learnt temperature ${f3(r.clip.temperature)} (started at ${START_TEMPERATURE}). Retrieval on the ${r.clip.images} held-out images (${r.clip.captions} captions; a hit is any of the image's own 5):

${table(
  ['direction', 'R@1', 'R@5'],
  [
    ['image → text', f3(rec.imageToText[1]), f3(rec.imageToText[5])],
    ['text → image', f3(rec.textToImage[1]), f3(rec.textToImage[5])],
  ],
)}

## Table 1 analogue: mean cosines (held-out)
${table(
  ['pair', 'space', 'paired', 'unpaired'],
  [
    ['text – image', 'CLIP (normalised)', ...cos(r.cosines.textImage)],
    ['text – text (two references of one image)', 'CLIP (normalised)', ...cos(r.cosines.textText)],
    ['text – image, whole-scene references', 'CLIP (normalised)', ...cos(r.cosines.wholeScene.textImage)],
    ['text – text, two whole-scene references of one image', 'CLIP (normalised)', ...cos(r.cosines.wholeScene.textText)],
    ['text – image', 'diffusion (eq. 6)', ...cos(r.cosines.zTextImage)],
    ['text – text', 'diffusion (eq. 6)', ...cos(r.cosines.zTextText)],
    [`text – bridged image (M = ${m0})`, 'diffusion (eq. 6)', ...cos(r.cosines.zTextBridged)],
  ],
)}

Paper (CLIP ViT-B/32 on COCO): text–image ${PAPER.textImage}, text–text ${PAPER.textText}, text–bridged ${PAPER.textBridged}. The held-out references may each describe a part of the scene (as COCO's do less often); the whole-scene references (every object with its colour, and the background, in varied wording; made for this measurement only) separate wording from content.

![PCA, diffusion space](pca-diffusion-space.png)
![PCA, CLIP space](pca-clip-space.png)

## Ablation (held-out)
${table(
  ['variant', ...SCORE_HEAD],
  ABLATION.map((k) => [r.ablation[k].name, ...scoreCells(r.ablation[k].scores)]),
)}

![ablation](ablation.png)

## Baselines on the same corpus and images (held-out)
Each baseline's decoder has the bundle's decoder size and steps, trained on the same caption lines; conditions are scaled to radius C = ${r.bundle.scale} for all.

${table(
  ['method', ...SCORE_HEAD],
  METHODS.map((k) => [r.methods[k].name, ...scoreCells(r.methods[k].scores)]),
)}

![baselines](baselines.png)

## M sweep (S = ${s0}; S = M where M < ${s0})
"cos to captions": mean cosine of the bridged image with its 5 references in diffusion space; "nearest corpus caption": mean cosine of the bridged image with the closest of ${r.memory.rows} corpus captions (for comparison, a held-out caption's own: ${f3(r.memory.captionNearest)}); "caption kept": cosine of a caption bridged from M with itself (what bridging preserves of a text embedding).

${table(
  ['M', ...SCORE_HEAD, 'validation CIDEr-D', 'cos to captions', 'nearest corpus caption', 'caption kept'],
  r.sweepM.map((x) => [x.m, ...scoreCells(x.test), cider(x.val), f3(x.cosText), f3(x.nearest), f3(x.textKept)]),
)}

![M sweep](m-sweep.png)
![cosines against M](m-sweep-cosine.png)

## DDIM steps (M = ${m0})
${table(
  ['S', ...SCORE_HEAD],
  r.sweepS.map((x) => [x.s, ...scoreCells(x.scores)]),
)}

![S sweep](s-sweep.png)

## Errors by attribute (held-out)
Claims a caption makes about colours, shapes, counts and relations, checked against the scene description; "wrong" is the share of claims that are false. The references row checks the checker (it must be 0).

${table(
  ['captions', ...ATTRIBUTES.flatMap((a) => [`${a} claims`, `${a} wrong`])],
  ERROR_ROWS.map((k) => [ERROR_NAMES[k], ...ATTRIBUTES.flatMap((a) => [r.errors[k][a].claims, `${(100 * r.errors[k][a].rate).toFixed(1)}%`])]),
)}

![errors](errors.png)

${publishingSection(r)}

## Samples (held-out, Diffusion Bridge)
${table(
  ['image', 'caption', 'a reference'],
  r.samples.map((x) => [x.image, x.caption, x.reference]),
)}
`;
}
