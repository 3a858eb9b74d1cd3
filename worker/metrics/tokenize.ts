/**
 * Caption tokenisation as the COCO caption evaluation does it: Stanford PTBTokenizer with
 * lower-casing, then pycocoevalcap drops punctuation tokens. This is a simplified PTB tokenizer;
 * what it approximates is listed where it happens and in `tokenize`'s comment.
 */

/** Tokens pycocoevalcap removes after PTB tokenisation (lower-cased, as our tokens are). */
const DROPPED = new Set(["''", "'", '``', '`', '-lrb-', '-rrb-', '-lcb-', '-rcb-', '.', '?', '!', ',', ':', '-', '--', '...', ';']);

/**
 * PTB's names for quotes and brackets; square brackets are not in pycocoevalcap's list, so they
 * survive as "-lsb-"/"-rsb-".
 */
const PTB_NAME: Record<string, string> = {
  '"': "''",
  '(': '-lrb-',
  ')': '-rrb-',
  '[': '-lsb-',
  ']': '-rsb-',
  '{': '-lcb-',
  '}': '-rcb-',
};

/** PTB clitics split from the word before them ("don't" → "do n't", "dog's" → "dog 's"). */
const CLITIC = /^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/;

/** Letter-dot acronyms ("u.s.") keep their final period, as PTB does; other words lose it. */
const ACRONYM = /^([a-z]\.)+$/;

/**
 * Lower-cases and splits a caption into PTB-style tokens, punctuation dropped.
 * Approximated: a double quote always becomes '' (PTB tells opening `` from closing, both
 * dropped); ',' and ':' stay inside numbers ("1,000", "10:30"); '$', '#' and
 * '%' become their own tokens; only letter-dot acronyms keep a final period (PTB also keeps
 * known abbreviations such as "mr."); "cannot"-style merged words and '/' are not split.
 */
export function tokenize(caption: string): string[] {
  const spaced = caption
    .toLowerCase()
    .replace(/\.\.\.|--|[?!;`$#%]/g, ' $& ')
    .replace(/["()[\]{}]/g, (c) => ` ${PTB_NAME[c]} `)
    .replace(/[,:](?!\d)|(?<!\d)[,:]/g, ' $& ');
  const tokens: string[] = [];
  for (const chunk of spaced.split(/\s+/)) tokens.push(...splitWord(chunk));
  return tokens.filter((t) => t !== '' && !DROPPED.has(t));
}

/** Peels quotes, a sentence-final period and a clitic off one whitespace-delimited chunk. */
function splitWord(chunk: string): string[] {
  let word = chunk;
  // A leading apostrophe opens a quote unless it starts a clitic written apart ("dog 's").
  if (word.startsWith("'") && !CLITIC.test(`x${word}`)) word = word.slice(1);
  // Closing quotes and a sentence-final period come off in any order ("dogs'." → "dogs").
  for (let peeled = true; peeled; ) {
    peeled = false;
    if (word.endsWith("'")) {
      word = word.slice(0, -1);
      peeled = true;
    } else if (word.endsWith('.') && word.length > 1 && !ACRONYM.test(word)) {
      word = word.slice(0, -1);
      peeled = true;
    }
  }
  const clitic = CLITIC.exec(word);
  return clitic ? [clitic[1], clitic[2]] : [word];
}

/** Counts of every n-gram of order 1..maxN, keyed by its tokens joined with a space. */
export function ngramCounts(tokens: string[], maxN: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxN; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const gram = tokens.slice(i, i + n).join(' ');
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

/** An n-gram key's order (tokens never contain spaces). */
export function ngramOrder(gram: string): number {
  return gram.split(' ').length;
}
