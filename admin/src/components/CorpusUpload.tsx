/** Uploads a caption corpus (.txt, .csv/.tsv, .jsonl) and shows the server's validation report, or why it was refused. */
import * as React from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import { styled } from 'styled-components';
import { CorpusInfo, errorMessage, errorStatus } from '../api';
import { PLUGIN_ID } from '../pluginId';
import { CorpusReport } from './CorpusReport';
import { ErrorNote } from './ErrorNote';

const megabytes = (bytes: number) => (bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MB` : `${Math.round(bytes / 1024)} KB`);

const FileInput = styled.input`
  font-size: ${({ theme }) => theme.fontSizes[2]};
  &:focus-visible {
    outline: 2px solid ${({ theme }) => theme.colors.primary600};
    outline-offset: 2px;
  }
`;

/** `maxBytes`: the server's limit (GET /limits), shown before an upload is tried. */
export function CorpusUpload({ maxBytes, onUploaded }: { maxBytes: number; onUploaded(corpus: CorpusInfo): void }) {
  const { post } = useFetchClient();
  const [busy, setBusy] = React.useState(false);
  const [result, setResult] = React.useState<CorpusInfo | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  async function upload(file: File | undefined) {
    if (!file) return;
    const form = new FormData();
    form.append('corpus', file, file.name);
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const corpus = (await post<{ data: CorpusInfo }>(`/${PLUGIN_ID}/finetune/corpus`, form)).data.data;
      setResult(corpus);
      onUploaded(corpus);
    } catch (err) {
      setError(errorStatus(err) === 413 ? `${file.name} is larger than the server accepts: ${errorMessage(err)}` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Typography tag="label" htmlFor="altbridge-corpus" variant="pi" fontWeight="bold">
        Caption corpus file
      </Typography>
      <FileInput id="altbridge-corpus" type="file" accept=".txt,.csv,.tsv,.jsonl,.ndjson" aria-describedby="altbridge-corpus-hint" disabled={busy} onChange={(e) => upload(e.target.files?.[0])} />
      <Typography id="altbridge-corpus-hint" variant="pi" textColor="neutral600">
        One caption per line (.txt), a “caption” column (.csv, .tsv) or field (.jsonl). At most {megabytes(maxBytes)}. Captions of 3–40 words are kept; some are held out to evaluate the new bundle.
      </Typography>
      <Box aria-live="polite">
        {busy && <Typography>Uploading and checking…</Typography>}
        {result && <CorpusReport corpus={result} />}
      </Box>
      {error && <ErrorNote>Corpus refused: {error}</ErrorNote>}
    </Flex>
  );
}
