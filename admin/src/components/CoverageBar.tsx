/** Alt-text coverage as figures and one stacked bar (the bar is decorative: the figures carry the data). */
import { Box, Flex, Typography } from '@strapi/design-system';
import { styled } from 'styled-components';
import { Coverage } from '../api';

const PARTS = [
  { key: 'human', label: 'Human alt text', color: 'success600' },
  { key: 'machineApproved', label: 'Machine, approved', color: 'primary600' },
  { key: 'machineUnreviewed', label: 'Machine, unreviewed', color: 'warning500' },
  { key: 'decorative', label: 'Decorative', color: 'neutral500' },
  { key: 'none', label: 'No alt text', color: 'danger600' },
] as const;
type Color = (typeof PARTS)[number]['color'];

const Bar = styled.div`
  display: flex;
  height: 16px;
  border-radius: ${({ theme }) => theme.borderRadius};
  overflow: hidden;
  background: ${({ theme }) => theme.colors.neutral150};
`;
const Segment = styled.div<{ $color: Color; $share: number }>`
  width: ${({ $share }) => $share * 100}%;
  background: ${({ theme, $color }) => theme.colors[$color]};
`;
const Swatch = styled.span<{ $color: Color }>`
  display: inline-block;
  width: 12px;
  height: 12px;
  border-radius: 2px;
  background: ${({ theme, $color }) => theme.colors[$color]};
`;

export function CoverageBar({ coverage }: { coverage: Coverage }) {
  const share = (n: number) => (coverage.images ? n / coverage.images : 0);
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Bar aria-hidden>
        {PARTS.map((p) => (
          <Segment key={p.key} $color={p.color} $share={share(coverage[p.key])} />
        ))}
      </Bar>
      <Flex tag="dl" gap={6} wrap="wrap">
        {PARTS.map((p) => (
          <Box key={p.key} data-coverage={p.key}>
            <Flex tag="dt" gap={2} alignItems="center">
              <Swatch $color={p.color} aria-hidden />
              <Typography variant="pi" textColor="neutral600">
                {p.label}
              </Typography>
            </Flex>
            <Typography tag="dd" variant="beta" style={{ margin: 0 }}>
              {coverage[p.key]}{' '}
              <Typography variant="pi" textColor="neutral600">
                ({Math.round(share(coverage[p.key]) * 100)} %)
              </Typography>
            </Typography>
          </Box>
        ))}
        <Box data-coverage="images">
          <Typography tag="dt" variant="pi" textColor="neutral600">
            Images
          </Typography>
          <Typography tag="dd" variant="beta" style={{ margin: 0 }}>
            {coverage.images}
          </Typography>
        </Box>
      </Flex>
    </Flex>
  );
}
