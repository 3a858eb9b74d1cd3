/**
 * Seeded random numbers. A stream is derived from (seed, ...keys) rather than carried along, so a
 * run resumed at step k draws exactly what an uninterrupted run draws there.
 */

// Module-level bindings: each global `Math` lookup is slow inside jest's sandbox.
const { sqrt, log, sin, cos, floor, PI } = Math;

/** Mixes 32-bit words into a new well-spread 32-bit word (splitmix-style finaliser). */
function mix(h: number, k: number): number {
  h = Math.imul(h ^ k, 0x9e3779b1) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /** The stream for `seed` and any number of integer keys (epoch, step, parameter index...). */
  constructor(seed: number, ...keys: number[]) {
    let h = mix(0x811c9dc5, seed >>> 0);
    for (const k of keys) h = mix(h, k >>> 0);
    this.a = mix(h, 1);
    this.b = mix(h, 2);
    this.c = mix(h, 3);
    this.d = mix(h, 4) | 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** sfc32: a uniform 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, pairs cached). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = sqrt(-2 * log(u));
    this.spare = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
