/**
 * A labelled, full-width progress bar with its figures in text. Its own element rather than the
 * design system's ProgressBar, which is a small bar for dark backgrounds and drops `value` (no
 * aria-valuenow): this one is a progressbar with value, range and a spoken value text.
 */
import { Flex, Typography } from '@strapi/design-system';
import { styled } from 'styled-components';

const Track = styled.div`
  height: 12px;
  border-radius: ${({ theme }) => theme.borderRadius};
  background: ${({ theme }) => theme.colors.neutral150};
  overflow: hidden;
`;
const Fill = styled.div<{ $value: number }>`
  width: ${({ $value }) => $value}%;
  height: 100%;
  background: ${({ theme }) => theme.colors.primary600};
  @media (prefers-reduced-motion: no-preference) {
    transition: width 0.3s ease-out;
  }
`;

export function Progress({ label, value, text }: { label: string; value: number; text: string }) {
  const id = `altbridge-progress-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const v = Math.round(Math.max(0, Math.min(100, value)));
  return (
    <Flex direction="column" alignItems="stretch" gap={2}>
      <Typography id={id} variant="pi" fontWeight="bold">
        {label}
      </Typography>
      <Track role="progressbar" aria-labelledby={id} aria-valuemin={0} aria-valuemax={100} aria-valuenow={v} aria-valuetext={text}>
        <Fill $value={v} />
      </Track>
      <Typography variant="pi" textColor="neutral600" aria-live="polite">
        {text}
      </Typography>
    </Flex>
  );
}
