/**
 * Accessibility audit: how many images have human, approved machine, unreviewed machine or no alt
 * text; the images that need attention (with their reasons), in pages; CSV and JSON export. The
 * low-confidence threshold is the one the server applied (the report says it), the Captions filter's.
 */
import * as React from 'react';
import { Badge, Box, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { AuditReason, AuditReport } from '../api';
import { CoverageBar } from '../components/CoverageBar';
import { ErrorNote } from '../components/ErrorNote';
import { ExportButtons } from '../components/ExportButtons';
import { Pager } from '../components/Pager';
import { confidencePercent, qualityPercent } from '../format';
import { useResource } from '../hooks/useResource';
import { PLUGIN_ID } from '../pluginId';

const PAGE_SIZE = 20;
const REASON: Record<AuditReason, { label: string; variant: 'danger' | 'warning' | 'secondary' }> = {
  'no-alt-text': { label: 'No alt text', variant: 'danger' },
  failed: { label: 'Caption failed', variant: 'danger' },
  unreviewed: { label: 'Unreviewed', variant: 'warning' },
  'needs-review': { label: 'Needs review', variant: 'warning' },
  'low-confidence': { label: 'Low quality', variant: 'secondary' },
};

export function AuditPage() {
  const [page, setPage] = React.useState(1);
  const { data, error } = useResource<AuditReport>(`/${PLUGIN_ID}/audit`, { page, pageSize: PAGE_SIZE });

  if (!data) return error ? <Page.Error /> : <Page.Loading />;
  const { coverage, attention } = data;
  const { pagination } = attention;

  return (
    <Page.Main>
      <Page.Title>Alt text accessibility audit</Page.Title>
      <Layouts.Header title="Accessibility audit" subtitle={`${coverage.images} image${coverage.images === 1 ? '' : 's'} in the Media Library`} primaryAction={<ExportButtons />} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {error && <ErrorNote>Could not refresh: {error}</ErrorNote>}
          <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
            <Typography tag="h2" variant="delta">
              Coverage
            </Typography>
            <Box paddingTop={4}>
              <CoverageBar coverage={coverage} />
            </Box>
          </Box>

          <Flex direction="column" alignItems="stretch" gap={3}>
            <Typography tag="h2" variant="delta">
              Needs attention ({attention.total})
            </Typography>
            <Typography tag="p" variant="pi" textColor="neutral600">
              Needs review: {attention.byReason['needs-review']} caption{attention.byReason['needs-review'] === 1 ? '' : 's'} the publishing policy held back from the alt text.
            </Typography>
            <Typography tag="p" variant="pi" textColor="neutral600">
              Low quality: a machine caption waiting for review whose calibrated quality is below {qualityPercent(data.minQuality)}, or, without calibration, whose confidence is below{' '}
              {confidencePercent(data.lowConfidence)} (mean token log-probability below {data.lowConfidence}).
            </Typography>
            {attention.total === 0 ? (
              <Box padding={6} background="neutral0" hasRadius>
                <Typography tag="p">Nothing needs attention: every image has reviewed alt text.</Typography>
              </Box>
            ) : (
              <Table colCount={4} rowCount={attention.results.length + 1} aria-label="Images that need attention">
                <Thead>
                  <Tr>
                    <Th>
                      <Typography variant="sigma">Image</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Alt text / caption</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Confidence</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Reasons</Typography>
                    </Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {attention.results.map((item) => (
                    <Tr key={item.fileId}>
                      <Td>
                        <Typography fontWeight="bold">{item.fileName}</Typography>
                      </Td>
                      <Td>
                        <Typography textColor={item.alternativeText ? 'neutral800' : 'neutral500'}>{item.alternativeText || item.captionText || '(none)'}</Typography>
                        {item.error && (
                          <Typography tag="p" variant="pi" textColor="danger600">
                            {item.error}
                          </Typography>
                        )}
                      </Td>
                      <Td>
                        <Typography>{confidencePercent(item.confidence)}</Typography>
                      </Td>
                      <Td>
                        <Flex gap={1} wrap="wrap">
                          {item.reasons.map((r) => (
                            <Badge key={r} variant={REASON[r]?.variant ?? 'secondary'}>
                              {REASON[r]?.label ?? r}
                            </Badge>
                          ))}
                        </Flex>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
            <Pager label="Audit pages" page={page} pagination={pagination} onPage={setPage} />
          </Flex>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
