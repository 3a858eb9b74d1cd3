/** A failed call's reason, announced to screen readers (role="alert"). */
import { Box, Typography } from '@strapi/design-system';

export const ErrorNote = ({ children }: { children: React.ReactNode }) => (
  <Box role="alert" padding={4} background="danger100" hasRadius>
    <Typography textColor="danger700">{children}</Typography>
  </Box>
);
