/** Learning rate at a step: linear warm-up to `peak`, then cosine decay to `floor` at `total`. */
export interface LrSchedule {
  peak: number;
  warmup: number;
  total: number;
  floor?: number;
}

export function learningRate(s: LrSchedule, step: number): number {
  const floor = s.floor ?? 0;
  if (step < s.warmup) return (s.peak * (step + 1)) / s.warmup;
  const span = Math.max(1, s.total - s.warmup);
  const progress = Math.min(1, (step - s.warmup) / span);
  return floor + 0.5 * (s.peak - floor) * (1 + Math.cos(Math.PI * progress));
}
