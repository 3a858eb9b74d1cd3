/**
 * CLIP's BPE tokenizer, read from the `tokenizer.json` of a Hugging Face model folder (a real CLIP
 * export or one written by make-tokenizer.ts) and run by @huggingface/tokenizers; batches come out
 * as the int64 [batch, length] ids and attention mask the ONNX text encoder takes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tokenizer } from '@huggingface/tokenizers';

export const CLIP_BOS = '<|startoftext|>';
export const CLIP_EOS = '<|endoftext|>';
/** CLIP's context length: its text encoders take input_ids [B, 77]. */
export const CLIP_MAX_LENGTH = 77;

export interface Encoded {
  ids: BigInt64Array;
  mask: BigInt64Array;
  batch: number;
  length: number;
}

export class ClipTokenizer {
  readonly vocabSize: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;

  private constructor(
    private readonly tk: Tokenizer,
    file: string,
    padToken: string,
  ) {
    const id = (token: string) => {
      const i = tk.token_to_id(token);
      if (i === undefined) throw new Error(`CLIP tokenizer ${file}: no ${token} token in the vocabulary`);
      return i;
    };
    this.vocabSize = tk.get_vocab().size;
    this.bos = id(CLIP_BOS);
    this.eos = id(CLIP_EOS);
    this.pad = id(padToken);
  }

  /** Loads `tokenizer.json` (the file, or the folder holding it); a `tokenizer_config.json` beside it may name the pad token, as in HF exports. */
  static load(pathOrDir: string): ClipTokenizer {
    const file = isDirectory(pathOrDir) ? path.join(pathOrDir, 'tokenizer.json') : pathOrDir;
    if (!fs.existsSync(file)) throw new Error(`CLIP tokenizer: ${file} does not exist`);
    const json = readJson(file);
    const configFile = path.join(path.dirname(file), 'tokenizer_config.json');
    const config = fs.existsSync(configFile) ? readJson(configFile) : {};
    const pad = config.pad_token as string | { content?: unknown } | undefined; // a string, or an AddedToken object in older exports
    const padToken = typeof pad === 'string' ? pad : typeof pad?.content === 'string' ? pad.content : CLIP_EOS;
    let tk: Tokenizer;
    try {
      tk = new Tokenizer(json, config);
    } catch (e) {
      throw new Error(`CLIP tokenizer ${file}: not a usable tokenizer.json (${(e as Error).message})`);
    }
    return new ClipTokenizer(tk, file, padToken);
  }

  /** Ids without the start/end tokens. */
  tokens(text: string): number[] {
    return this.tk.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * [batch, length] ids as start, tokens, end, then `pad`, with mask 1 on the real tokens. Longer
   * texts are cut to maxLength with the end token kept last (CLIP pools at it). `trim` pads only to
   * the batch's longest sequence, for text encoders with a dynamic sequence axis.
   */
  encode(texts: string[], opts: { maxLength?: number; trim?: boolean } = {}): Encoded {
    const maxLength = opts.maxLength ?? CLIP_MAX_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new Error(`CLIP tokenizer: maxLength ${maxLength} leaves no room for the start and end tokens`);
    const rows = texts.map((t) => [this.bos, ...this.tokens(t).slice(0, maxLength - 2), this.eos]);
    const length = opts.trim ? rows.reduce((m, r) => Math.max(m, r.length), 0) : maxLength;
    const ids = new BigInt64Array(rows.length * length).fill(BigInt(this.pad));
    const mask = new BigInt64Array(rows.length * length);
    rows.forEach((row, b) =>
      row.forEach((id, j) => {
        ids[b * length + j] = BigInt(id);
        mask[b * length + j] = 1n;
      }),
    );
    return { ids, mask, batch: rows.length, length };
  }

  /**
   * Text back from ids: special tokens dropped, each "</w>" a space, then spacing tidied by
   * `detokenise` (in place of HF's clean-up, which glues " ' " and leaves "medium - sized").
   */
  decode(ids: number[]): string {
    return ids.length === 0 ? '' : detokenise(this.tk.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
  }
}

/**
 * Readable text from CLIP tokens joined by spaces. CLIP's pre-tokenizer splits off punctuation,
 * hyphens, contractions and every digit, and forgets the spacing, so "medium-sized" comes back as
 * "medium - sized" and "it's" as "it 's". Each rule undoes one such split, the reading far more
 * common in captions; spaced tokens with no rule ("rock ' n ' roll", "a -- b") stay apart.
 */
export function detokenise(text: string): string {
  return (
    text
      .replace(/\s+/g, ' ')
      .trim()
      // Contractions ("it 's", "don 't"), also with the apostrophe decoded alone ("it ' s").
      .replace(/(\w) ?' ?(s|t|re|ve|m|ll|d)\b/gi, "$1'$2")
      // Plural possessive: "dogs ' bowl".
      .replace(/(\ws) ' (?=\w)/gi, "$1' ")
      // Hyphenated words: "medium - sized", "x - ray"; a spaced dash in a caption is written "--" or "—".
      .replace(/(\w) - (?=\w)/g, '$1-')
      // Numbers, split digit by digit: "2 0 2 6", "2 . 5".
      .replace(/(\d) (?=\d)/g, '$1')
      .replace(/(\d) \. (?=\d)/g, '$1.')
      // Closing punctuation and brackets hold to the word before, opening brackets to the word after.
      .replace(/ (?=[.,!?;:%)\]}])/g, '')
      .replace(/([([{]) /g, '$1')
  );
}

function isDirectory(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`CLIP tokenizer: ${file} is not valid JSON (${(e as Error).message})`);
  }
}
