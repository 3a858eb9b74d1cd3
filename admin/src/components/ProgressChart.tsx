/**
 * The audit's daily snapshots as an inline SVG chart: the share of images compliant (bold) and the
 * share breaking each rule that ever applied, each line with its own colour and dash pattern (told
 * apart without colour). The same figures follow in a table, which is what a screen reader reads.
 */
import { Flex, Typography, VisuallyHidden } from '@strapi/design-system';
import type { AltRule, AuditSnapshot } from '../api';

const W = 640;
const H = 200;
const LEFT = 40;
const STYLES = [
  { color: '#328048', dash: '' },
  { color: '#d02b20', dash: '6 3' },
  { color: '#7b79ff', dash: '2 3' },
  { color: '#be5d01', dash: '8 3 2 3' },
  { color: '#0c75af', dash: '4 4' },
  { color: '#4945ff', dash: '1 2' },
  { color: '#b72b1a', dash: '10 2' },
  { color: '#2f6846', dash: '3 1' },
  { color: '#666687', dash: '12 4' },
  { color: '#8e4e00', dash: '5 2 1 2' },
];
const percent = (v: number) => `${Math.round(v * 100)} %`;

export function ProgressChart({ history, rules }: { history: AuditSnapshot[]; rules: AltRule[] }) {
  if (history.length === 0) return null;
  const share = (n: number, images: number) => (images ? n / images : 0);
  const series = [
    { label: 'Compliant', values: history.map((h) => share(h.totals.compliant, h.totals.images)) },
    ...rules.map((r) => ({ label: `Breaks “${r.title}”`, values: history.map((h) => share(h.totals.byRule[r.id] ?? 0, h.totals.images)) })).filter((s) => s.values.some((v) => v > 0)),
  ];
  const x = (i: number) => LEFT + (history.length === 1 ? (W - LEFT) / 2 : (i * (W - LEFT - 8)) / (history.length - 1));
  const y = (v: number) => 8 + (1 - v) * (H - 32);
  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <svg aria-hidden viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W, height: 'auto' }} fontSize={11} data-testid="progress-chart">
        {[0, 0.5, 1].map((v) => (
          <g key={v}>
            <line x1={LEFT} x2={W - 8} y1={y(v)} y2={y(v)} stroke="#dcdce4" />
            <text x={LEFT - 6} y={y(v) + 4} textAnchor="end" fill="#666687">
              {percent(v)}
            </text>
          </g>
        ))}
        <text x={x(0)} y={H - 6} textAnchor={history.length === 1 ? 'middle' : 'start'} fill="#666687">
          {history[0].day}
        </text>
        {history.length > 1 && (
          <text x={x(history.length - 1)} y={H - 6} textAnchor="end" fill="#666687">
            {history[history.length - 1].day}
          </text>
        )}
        {series.map((s, i) => {
          const st = STYLES[i % STYLES.length];
          return (
            <g key={s.label}>
              <polyline points={s.values.map((v, j) => `${x(j)},${y(v)}`).join(' ')} fill="none" stroke={st.color} strokeWidth={i === 0 ? 3 : 2} strokeDasharray={st.dash} />
              {s.values.length === 1 && <circle cx={x(0)} cy={y(s.values[0])} r={4} fill={st.color} />}
            </g>
          );
        })}
      </svg>
      <Flex tag="ul" gap={4} wrap="wrap" aria-hidden>
        {series.map((s, i) => {
          const st = STYLES[i % STYLES.length];
          return (
            <Flex tag="li" key={s.label} gap={2} alignItems="center">
              <svg width={28} height={10}>
                <line x1={0} x2={28} y1={5} y2={5} stroke={st.color} strokeWidth={3} strokeDasharray={st.dash} />
              </svg>
              <Typography variant="pi">
                {s.label}: {percent(s.values[s.values.length - 1])}
              </Typography>
            </Flex>
          );
        })}
      </Flex>
      <VisuallyHidden>
        <table>
          <caption>Compliance per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Compliant</th>
              <th scope="col">Breaking a rule</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.day}>
                <th scope="row">{h.day}</th>
                <td>
                  {h.totals.compliant} of {h.totals.images}
                </td>
                <td>
                  {rules
                    .filter((r) => h.totals.byRule[r.id])
                    .map((r) => `${r.title}: ${h.totals.byRule[r.id]}`)
                    .join(', ') || 'none'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Flex>
  );
}
