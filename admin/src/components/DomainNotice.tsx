/** The active bundle's domain in words, so editors know which images its captions can be trusted on. */
import { Box, Typography } from '@strapi/design-system';
import type { BundleDomain } from '../api';

export function DomainNotice({ bundle }: { bundle: BundleDomain }) {
  const domain = bundle.description ?? 'not stated (a bundle made before domains were recorded)';
  return (
    <Box role="note" data-testid="altbridge-domain" padding={4} background={bundle.demonstration ? 'warning100' : 'neutral100'} hasRadius>
      <Typography textColor="neutral800">
        {bundle.demonstration
          ? `Demonstration bundle: ${domain}. ${bundle.ref} is not meant for real images: its captions go to alt text only while “Let a demonstration bundle write alt text” is on in Settings.`
          : `Active bundle ${bundle.ref} captions: ${domain}. Images outside it are held for review.`}
      </Typography>
    </Box>
  );
}
