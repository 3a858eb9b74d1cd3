/**
 * CLIP's image and text encoders as exported by Hugging Face (`pixel_values` -> `image_embeds`,
 * `input_ids`/`attention_mask` -> `text_embeds`), opened from a bundle and checked against it.
 */
import * as ort from 'onnxruntime-node';
import { openSession, RuntimeConfig } from '../runtime';

export interface ClipContract {
  imageSize: number;
  embedDim: number;
}

type Meta = ort.InferenceSession.ValueMetadata;
const shapeOf = (m: Meta | undefined): readonly (number | string)[] | null => (m && m.isTensor ? m.shape : null);

/** Names the first way the session breaks the contract, or null. */
function contractProblem(s: ort.InferenceSession, inputs: Record<string, (number | null)[]>, output: string, dim: number): string | null {
  for (const [name, dims] of Object.entries(inputs)) {
    if (!s.inputNames.includes(name)) return `has no input "${name}" (inputs: ${s.inputNames.join(', ')})`;
    const shape = shapeOf(s.inputMetadata.find((m) => m.name === name));
    if (shape && shape.length && (shape.length !== dims.length || dims.some((d, i) => d !== null && typeof shape[i] === 'number' && shape[i] !== d))) {
      return `input "${name}" is [${shape}], expected [${dims.map((d) => d ?? 'any')}]`;
    }
  }
  if (!s.outputNames.includes(output)) return `has no output "${output}" (outputs: ${s.outputNames.join(', ')})`;
  const out = shapeOf(s.outputMetadata.find((m) => m.name === output));
  if (out && out.length && typeof out[out.length - 1] === 'number' && out[out.length - 1] !== dim) return `output "${output}" has ${out[out.length - 1]} dims, expected ${dim}`;
  return null;
}

async function open(file: string, runtime: RuntimeConfig, label: string, log: ((l: string) => void) | undefined, check: (s: ort.InferenceSession) => string | null) {
  let s: ort.InferenceSession;
  try {
    s = await openSession(file, runtime, label, log);
  } catch (err) {
    throw new Error(`CLIP file ${file} cannot be loaded: ${(err as Error).message.split('\n')[0]}`);
  }
  const problem = check(s);
  if (problem) {
    await s.release();
    throw new Error(`CLIP file ${file} ${problem}`);
  }
  return s;
}

export class ClipEncoders {
  private constructor(
    readonly vision: ort.InferenceSession,
    readonly text: ort.InferenceSession,
    readonly c: ClipContract,
  ) {}

  static async open(visionFile: string, textFile: string, c: ClipContract, runtime: RuntimeConfig, log?: (l: string) => void): Promise<ClipEncoders> {
    const vision = await open(visionFile, runtime, 'clip vision', log, (s) => contractProblem(s, { pixel_values: [null, 3, c.imageSize, c.imageSize] }, 'image_embeds', c.embedDim));
    const text = await open(textFile, runtime, 'clip text', log, (s) => contractProblem(s, { input_ids: [null, null] }, 'text_embeds', c.embedDim));
    return new ClipEncoders(vision, text, c);
  }

  /** pixels [B, 3, S, S] -> image embeddings [B, embedDim]. */
  async images(pixels: Float32Array, batch: number): Promise<Float32Array> {
    const s = this.c.imageSize;
    const out = await this.vision.run({ pixel_values: new ort.Tensor('float32', pixels, [batch, 3, s, s]) });
    return out.image_embeds.data as Float32Array;
  }

  /** Token ids and mask [B, L] -> text embeddings [B, embedDim]. */
  async texts(ids: BigInt64Array, mask: BigInt64Array, batch: number, length: number): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [batch, length]) };
    if (this.text.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [batch, length]);
    return (await this.text.run(feeds)).text_embeds.data as Float32Array;
  }

  async close(): Promise<void> {
    await Promise.all([this.vision.release(), this.text.release()]);
  }
}
