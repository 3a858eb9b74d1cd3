/**
 * Live preview for the bridging depth: the newest image captioned at several M (the one being set
 * among them) with the other settings as saved, so an admin sees what M does before saving it.
 */
import * as React from 'react';
import { Box, Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import { styled } from 'styled-components';
import { errorMessage, Preview } from '../api';
import { confidencePercent } from '../format';
import { PLUGIN_ID } from '../pluginId';

/**
 * The table takes the width beside the image and no more: the design system's table keeps each cell
 * on one line, so a flex item sized to its content pushed the Confidence column out of view. Captions
 * wrap, and a table still too wide scrolls sideways in its own wrapper.
 */
const TableSlot = styled.div`
  flex: 1;
  min-width: 0;
  & td:nth-child(2) {
    white-space: normal;
  }
`;

/** `depths`: the server's default preview depths (GET /limits); the M being set is added to them. */
export function MPreview({ m, depths }: { m: number; depths: readonly number[] }) {
  const { post } = useFetchClient();
  const [preview, setPreview] = React.useState<Preview | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const asked = [...new Set([...depths, m])].sort((a, b) => a - b);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      setPreview((await post<{ data: Preview }>(`/${PLUGIN_ID}/settings/preview`, { m: asked })).data.data);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Flex gap={3}>
        <Button variant="secondary" onClick={run} loading={busy}>
          Preview M on the newest image
        </Button>
        <Typography variant="pi" textColor="neutral600">
          Captions it at M = {asked.join(', ')}; nothing is saved.
        </Typography>
      </Flex>
      {error && (
        <Box role="alert" padding={3} background="danger100" hasRadius>
          <Typography textColor="danger700">No preview: {error}</Typography>
        </Box>
      )}
      <div aria-live="polite">
        {preview && (
          <Flex gap={4} alignItems="flex-start">
            <img src={preview.file.url} alt={`The preview image, ${preview.file.name}`} width={96} height={96} style={{ objectFit: 'cover', borderRadius: 4 }} />
            <TableSlot>
              <Table colCount={3} rowCount={preview.rows.length + 1} aria-label={`Captions of ${preview.file.name} at each M`}>
                <Thead>
                  <Tr>
                    <Th>
                      <Typography variant="sigma">M</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Caption</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Confidence</Typography>
                    </Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {preview.rows.map((r) => (
                    <Tr key={r.m}>
                      <Td>
                        <Typography fontWeight={r.m === m ? 'bold' : undefined}>{r.m === 0 ? '0 (no bridging)' : r.m}</Typography>
                      </Td>
                      <Td>
                        <Typography>{r.caption}</Typography>
                      </Td>
                      <Td>
                        <Typography>{confidencePercent(r.confidence)}</Typography>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            </TableSlot>
          </Flex>
        )}
      </div>
    </Flex>
  );
}
