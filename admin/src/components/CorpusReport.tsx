/** A corpus's validation report: lines read, kept, dropped by reason, the train/held-out split, a sample and warnings. */
import { Box, Flex, Typography } from '@strapi/design-system';
import { CorpusInfo } from '../api';

export function CorpusReport({ corpus }: { corpus: CorpusInfo }) {
  const { report } = corpus;
  const dropped = Object.entries(report.dropped).filter(([, n]) => n > 0);
  return (
    <Box padding={4} background="neutral100" hasRadius aria-label={`Validation report of ${corpus.name}`} role="region">
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Typography fontWeight="bold">
          {corpus.name} ({corpus.format}, {(corpus.bytes / 1024).toFixed(1)} KB): {report.kept} of {report.lines} lines kept
        </Typography>
        <Typography>
          {report.train} for training, {report.heldOut} held out for evaluation
          {dropped.length > 0 && ` · dropped: ${dropped.map(([reason, n]) => `${n} ${reason}`).join(', ')}`}
        </Typography>
        {corpus.warnings.map((w) => (
          <Typography key={w} textColor="neutral800">
            Warning: {w}
          </Typography>
        ))}
        {corpus.sample.length > 0 && (
          <>
            <Typography variant="pi" textColor="neutral600">
              Sample of kept lines:
            </Typography>
            <ul style={{ margin: 0, paddingLeft: '1.5em' }}>
              {corpus.sample.map((line, i) => (
                <li key={i}>
                  <Typography variant="pi">{line}</Typography>
                </li>
              ))}
            </ul>
          </>
        )}
      </Flex>
    </Box>
  );
}
