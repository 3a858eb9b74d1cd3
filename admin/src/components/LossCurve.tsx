/** The training loss of each stage as an inline SVG polyline (log-free, scaled to the stage's own range). */
import { Flex, Typography } from '@strapi/design-system';

const W = 480;
const H = 120;

function points(series: [number, number][]): string {
  const xs = series.map((p) => p[0]);
  const ys = series.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return series.map(([x, y]) => `${(((x - x0) / (x1 - x0 || 1)) * W).toFixed(1)},${(H - ((y - y0) / (y1 - y0 || 1)) * H).toFixed(1)}`).join(' ');
}

export function LossCurve({ label, series }: { label: string; series: [number, number][] }) {
  if (series.length < 2) return null;
  const last = series[series.length - 1];
  const summary = `${label} loss from ${series[0][1].toFixed(3)} at step ${series[0][0]} to ${last[1].toFixed(3)} at step ${last[0]}`;
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      <Typography variant="pi" fontWeight="bold">
        {label} loss: {last[1].toFixed(4)}
      </Typography>
      <svg role="img" aria-label={summary} viewBox={`-4 -4 ${W + 8} ${H + 8}`} width="100%" style={{ maxWidth: W, height: 'auto' }}>
        <rect x={-4} y={-4} width={W + 8} height={H + 8} fill="none" stroke="currentColor" strokeOpacity={0.15} />
        <polyline points={points(series)} fill="none" stroke="#4945ff" strokeWidth={2} vectorEffect="non-scaling-stroke" />
      </svg>
    </Flex>
  );
}
