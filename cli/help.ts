/** The text of `altbridge help`. */
export const HELP = `altbridge: alt text for Strapi media (CLIP + Diffusion Bridge + caption decoder on onnxruntime)

Usage: altbridge <command> [options]

Commands:
  demo [--count 6] [--seed 2026] [--out DIR] [--bundle B]
                       draw a few new ShapesWorld scenes and caption them with the default bundle
  caption <image|dir>...
                       one caption per image
                         --bundle NAME|PATH (default shapes-mini) --m 600 --steps 5 --beam 3 --batch 8
                         --max-tokens N --no-repeat 4 (no caption repeats a run of N tokens; 0 allows it) --json
                         prints confidence, quality (calibrated chance of no false claim) and in/out of domain;
                         --min-quality Q prints only "FILE<TAB>(withheld: REASON)" for images below Q
  train --corpus FILE --clip BUNDLE [--out DIR] [--name N] [--version V] [--seed 0]
        [--denoiser-steps 10000] [--decoder-steps 10000] [--draws 4]
                       train a captioner from caption text on a bundle's CLIP (Ctrl-C pauses; rerun resumes)
  finetune --from BUNDLE --corpus FILE [--mix FILE --mix-share 0.3] [--out DIR] [--name N] [--version V]
        [--seed 0] [--denoiser-steps 2000] [--decoder-steps 2000] [--draws 4]
                       continue a bundle on a domain corpus (the admin panel's run); writes a new version (default:
                       the next one not installed), compares it with the old (Ctrl-C pauses; rerun resumes)
  eval-text --bundle BUNDLE --corpus FILE
                       BLEU/ROUGE-L/CIDEr-D of captions made from the corpus's held-out lines' own embeddings
  shapes generate --out DIR [--seed 0] [--pairs 5000] [--texts 5000] [--heldout 500] [--size 64]
                       a ShapesWorld dataset: image-caption pairs, caption text (5 lines a scene), held-out images
  shapes build [--out models/shapes-mini] [--work DIR] [--seed 0] [--clip-steps 3000] [--denoiser-steps 6000]
        [--decoder-steps 4000] [--draws 4] [--pairs 5000] [--texts 5000] [--heldout 500] [--val 250]
                       the ShapesWorld bundle from nothing: data, mini-CLIP, ē_img, denoiser, decoder (resumable)
  shapes report [--out reports/shapes] [--work DIR] [--beam 3] [recipe options as shapes build]
                       REPORT.md with figures: cosines, ablation, baselines, M and S sweeps, errors by attribute
  eval [--bundle B] (--split heldout|val [--data DIR] | --images DIR --refs FILE.json) [--m] [--steps] [--beam]
       [--json] [--out FILE]
                       BLEU-1..4, ROUGE-L and CIDEr-D of a bundle's captions against references
  models list          the model bundles installed, with any problem found
  models make-random --out DIR [--size tiny|vit-b32] [--seed 0]
                       a random-weight bundle with the real I/O contract (tests; speed of the real sizes)
  models fetch clip-vit-b32 [--from URL] [--out DIR] [--force]
                       download a model's files (resumable, hash-checked) into models/downloads/NAME
  models import-clip FOLDER [--name N] [--version V] [--out DIR] [--variant fp32|quantized|fp16]
                       a CLIP-only bundle from a Hugging Face CLIP ONNX export (checked, then copied)
  models add-corpus BUNDLE (--corpus FILE | --from-recipe [--work DIR])
                       store the corpus's captions in diffusion space in a trained bundle (each caption's
                       nearestCaption); --from-recipe regenerates a ShapesWorld bundle's corpus from its recipe
  images-mean --bundle NAME|PATH (<image|dir>... | --from-recipe [--work DIR]) [--domain-only] [--description TEXT]
                       ē_img (mean image embedding) and domain data (in/out of domain per caption) for a bundle
                       from your images; ē_img is needed to bridge. --domain-only keeps ē_img; --from-recipe
                       uses a ShapesWorld bundle's training images, regenerated from its recorded recipe
  corpus fetch coco-captions [--from URL] [--out DIR] [--force]
                       download COCO 2017 captions as text: DIR/train.txt, DIR/val.txt (default corpora/coco-captions)
  bench caption        per-image latency by stage for ViT-B/32-sized models, batch 1 and 8, bridging vs M=0
                         --images 8 --beam 3 --max-tokens 16 --m 600 --steps 5
  bench train          tokens/s of a decoder train step on onnxruntime vs PyTorch (CPU), same run
                         --layers 4 --width 512 --heads 8 --seq 24 --batch 64 --vocab 4096
                         --threads 2 --steps 10 --warmup 3 --no-torch
  bench queue          images/s through Strapi (upload -> queue -> worker -> caption stored) and the queue wait,
                       on a fresh PostgreSQL database: --images 200 --app example --concurrency 2
                         --upload-concurrency 4 --json
  trust report [--bundle shapes-mini] [--out reports/trust] [--cache DIR] [--scenes 800] [--per-source 200]
        [--write-bundle]
                       fit and check the quality estimate on held-out ShapesWorld scenes and out-of-domain images
                       (Debian desktop-base, npm emoji-datasource-google, drawn charts; fetched into the cache):
                       REPORT.md with AUROC, reliability table, ECE and the default threshold
  trust calibrate [--bundle shapes-mini] [options as trust report]
                       the same fit, written into the bundle's manifest (field quality)
  doctor [--json] [--redis URL] [--database URL] [--no-services]
                       check this host: Node, onnxruntime providers, CUDA libraries, bundles, disk, Redis, PostgreSQL
  worker [--app DIR] [--concurrency N]
                       consume the caption queue of the Strapi app in DIR (default .) in this process
  help                 this text

Environment:
  ALTBRIDGE_PROVIDERS  execution providers in order, e.g. "cuda,cpu" (default "cpu")
  ALTBRIDGE_THREADS    onnxruntime intra-op threads (default: all cores)
  ALTBRIDGE_MODELS     folder of model bundles (default: the project's models/)
  ALTBRIDGE_BUNDLE     bundle used when --bundle is not given
  ALTBRIDGE_CACHE      cache folder (text embeddings; default ~/.cache/altbridge)
  ALTBRIDGE_MIRROR     mirror root for models/corpus fetch: files of NAME from $ALTBRIDGE_MIRROR/NAME/
`;
