/**
 * Previous / next page buttons and "Page N of M" (announced when it changes); nothing for one page.
 * `page` is the page asked for, `pagination` the server's answer for the page shown.
 */
import { Button, Flex, Typography } from '@strapi/design-system';
import type { Pagination } from '../api';

export function Pager({ label, page, pagination, onPage }: { label: string; page: number; pagination: Pagination; onPage: (page: number) => void }) {
  const { pageCount } = pagination;
  if (pageCount <= 1) return null;
  return (
    <Flex tag="nav" aria-label={label} gap={2} justifyContent="flex-end" alignItems="center">
      <Button variant="tertiary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </Button>
      <Typography aria-live="polite">
        Page {pagination.page} of {pageCount}
      </Typography>
      <Button variant="tertiary" disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
        Next page
      </Button>
    </Flex>
  );
}
