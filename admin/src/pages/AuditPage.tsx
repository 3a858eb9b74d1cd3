/**
 * Accessibility audit: how many images are compliant (decorative, or alt text that breaks none of the
 * rules), who wrote the alt text, progress per day, the rules with their WCAG references and counts,
 * the images per content type, and a paged list (images on published entries first) of what needs
 * attention, one rule, or the decorative images, with where each image is used; exports as CSV, JSON
 * and a printable HTML report. The thresholds are the ones the server applied (the report says them).
 */
import * as React from 'react';
import { Box, Button, Field, Flex, Link, SingleSelect, SingleSelectOption, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page, useRBAC } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import { AltRuleId, AuditItem, AuditReason, AuditReport, fileUrl, UsageEntry } from '../api';
import { Badge } from '../components/Badge';
import { CoverageBar } from '../components/CoverageBar';
import { DecorativeControl } from '../components/DecorativeControl';
import { ErrorNote } from '../components/ErrorNote';
import { ExportButtons } from '../components/ExportButtons';
import { Pager } from '../components/Pager';
import { ProgressChart } from '../components/ProgressChart';
import { confidencePercent, qualityPercent } from '../format';
import { useResource } from '../hooks/useResource';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

const PAGE_SIZE = 20;
/** Links to the entries using an image, at most this many per row (the count says the rest). */
const SHOWN_ENTRIES = 3;
const REASON: Record<AuditReason, { label: string; variant: 'danger' | 'warning' | 'secondary' }> = {
  'no-alt-text': { label: 'No alt text', variant: 'danger' },
  failed: { label: 'Caption failed', variant: 'danger' },
  unreviewed: { label: 'Unreviewed', variant: 'warning' },
  'needs-review': { label: 'Needs review', variant: 'warning' },
  'low-confidence': { label: 'Low quality', variant: 'secondary' },
};

/** What the list shows: the select's value, and the query it sends. */
type Show = 'attention' | 'decorative' | `rule:${AltRuleId}` | `reason:${AuditReason}`;
function listQuery(show: Show): Record<string, string> {
  if (show === 'decorative') return { decorative: 'true' };
  if (show.startsWith('rule:')) return { rule: show.slice(5) };
  if (show.startsWith('reason:')) return { reason: show.slice(7) };
  return {};
}

const percent = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)} %` : '–');

function entryPath(e: UsageEntry): string {
  return e.kind === 'singleType' ? `/content-manager/single-types/${e.contentType}` : `/content-manager/collection-types/${e.contentType}/${e.documentId}`;
}

function UsedIn({ item }: { item: AuditItem }) {
  if (!item.entries) return <Typography textColor="neutral600">Not used</Typography>;
  const shown = (item.usedIn ?? []).slice(0, SHOWN_ENTRIES);
  return (
    <Flex direction="column" alignItems="flex-start" gap={1}>
      <Typography>
        Used in {item.entries} entr{item.entries === 1 ? 'y' : 'ies'} ({item.publishedEntries} published)
      </Typography>
      {shown.map((e) => (
        <Link key={`${e.contentType}/${e.documentId}/${e.field}`} tag={NavLink} to={entryPath(e)}>
          {e.contentTypeName} {e.documentId.slice(0, 8)}, {e.field}
          {e.published ? '' : ' (draft)'}
        </Link>
      ))}
      {item.entries > shown.length && <Typography variant="pi">and {item.entries - shown.length} more</Typography>}
    </Flex>
  );
}

export function AuditPage() {
  const [page, setPage] = React.useState(1);
  const [show, setShow] = React.useState<Show>('attention');
  const { allowedActions } = useRBAC({ edit: PERMISSIONS.edit });
  // The rules' thresholds as applied (the server's defaults until an editor applies others) and as typed.
  const [thresholds, setThresholds] = React.useState<Record<string, string>>({});
  const [typed, setTyped] = React.useState<Record<string, string>>({});
  const { data, error, reload } = useResource<AuditReport>(`/${PLUGIN_ID}/audit`, { page, pageSize: PAGE_SIZE, ...listQuery(show), ...thresholds });

  if (!data) return error ? <Page.Error /> : <Page.Loading />;
  const { coverage, attention, totals, rules } = data;
  const { pagination } = attention;
  const ruleTitle = new Map(rules.map((r) => [r.id, r.title]));
  const choose = (next: Show) => {
    setShow(next);
    setPage(1);
  };
  const listTitle =
    show === 'attention'
      ? `Needs attention (${attention.total})`
      : show === 'decorative'
        ? `Decorative images (${pagination.total})`
        : show.startsWith('rule:')
          ? `Breaks “${ruleTitle.get(show.slice(5) as AltRuleId)}” (${pagination.total})`
          : `${REASON[show.slice(7) as AuditReason].label} (${pagination.total})`;

  return (
    <Page.Main>
      <Page.Title>Alt text accessibility audit</Page.Title>
      <Layouts.Header title="Accessibility audit" subtitle={`${coverage.images} image${coverage.images === 1 ? '' : 's'} in the Media Library`} primaryAction={<ExportButtons params={thresholds} />} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {error && <ErrorNote>Could not refresh: {error}</ErrorNote>}
          <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
            <Typography tag="h2" variant="delta">
              Compliance
            </Typography>
            <Typography tag="p" variant="beta" data-testid="compliant">
              {totals.compliant} of {totals.images} images compliant ({percent(totals.compliant, totals.images)})
            </Typography>
            <Typography tag="p" variant="pi" textColor="neutral600">
              Compliant: marked decorative ({totals.decorative}), or alt text that breaks none of the rules below (WCAG 2.2, 1.1.1 Non-text Content).
            </Typography>
            <Box paddingTop={4}>
              <CoverageBar coverage={coverage} />
            </Box>
          </Box>

          <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
            <Typography tag="h2" variant="delta">
              Progress
            </Typography>
            <Box paddingTop={4}>
              <ProgressChart history={data.history} rules={rules} />
            </Box>
          </Box>

          <Flex direction="column" alignItems="stretch" gap={3}>
            <Typography tag="h2" variant="delta">
              Alt-text rules
            </Typography>
            <Typography tag="p" variant="pi" textColor="neutral600">
              They apply to every image&apos;s alt text, a person&apos;s or the machine&apos;s. Too long: more than {data.limits.maxLength} characters. Duplicate: the same text on{' '}
              {data.limits.duplicateMin} or more images.
            </Typography>
            <Flex
              tag="form"
              gap={3}
              alignItems="flex-end"
              onSubmit={(e: React.FormEvent) => {
                e.preventDefault();
                setThresholds(Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== '')));
                setPage(1);
              }}
            >
              {(
                [
                  ['maxLength', 'Too long above (characters)'],
                  ['duplicateMin', 'Duplicate from (images)'],
                ] as const
              ).map(([key, label]) => (
                <Field.Root key={key} name={key}>
                  <Field.Label>{label}</Field.Label>
                  <Field.Input
                    type="number"
                    min={1}
                    value={typed[key] ?? String(data.limits[key])}
                    onChange={(e: React.ChangeEvent<HTMLInputElement>) => setTyped({ ...typed, [key]: e.target.value })}
                  />
                </Field.Root>
              ))}
              <Button type="submit" variant="secondary">
                Apply thresholds
              </Button>
            </Flex>
            <Table colCount={4} rowCount={rules.length + 1} aria-label="Alt-text rules">
              <Thead>
                <Tr>
                  <Th>
                    <Typography variant="sigma">Rule</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">What it means</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">WCAG</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">Images</Typography>
                  </Th>
                </Tr>
              </Thead>
              <Tbody>
                {rules.map((r) => (
                  <Tr key={r.id} data-rule={r.id}>
                    <Td>
                      <Typography fontWeight="bold">{r.title}</Typography>
                    </Td>
                    <Td style={{ whiteSpace: 'normal' }}>
                      <Typography>{r.explanation}</Typography>
                    </Td>
                    <Td>
                      <Link href={r.url} isExternal>
                        {r.wcag}
                      </Link>
                    </Td>
                    <Td>
                      {totals.byRule[r.id] ? (
                        <Button variant="tertiary" size="S" onClick={() => choose(`rule:${r.id}`)} aria-label={`Show the ${totals.byRule[r.id]} images breaking “${r.title}”`}>
                          {totals.byRule[r.id]}
                        </Button>
                      ) : (
                        <Typography>0</Typography>
                      )}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </Flex>

          {data.byContentType.length > 0 && (
            <Flex direction="column" alignItems="stretch" gap={3}>
              <Typography tag="h2" variant="delta">
                Per content type
              </Typography>
              <Table colCount={3} rowCount={data.byContentType.length + 1} aria-label="Images per content type">
                <Thead>
                  <Tr>
                    <Th>
                      <Typography variant="sigma">Content type</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Images used</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Compliant</Typography>
                    </Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {data.byContentType.map((c) => (
                    <Tr key={c.contentType}>
                      <Td>
                        <Typography>{c.contentTypeName}</Typography>
                      </Td>
                      <Td>
                        <Typography>{c.images}</Typography>
                      </Td>
                      <Td>
                        <Typography>
                          {c.compliant} ({percent(c.compliant, c.images)})
                        </Typography>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            </Flex>
          )}

          <Flex direction="column" alignItems="stretch" gap={3}>
            <Flex justifyContent="space-between" alignItems="flex-end" wrap="wrap" gap={3}>
              <Typography tag="h2" variant="delta">
                {listTitle}
              </Typography>
              <Box minWidth="280px">
                <Field.Root name="audit-show">
                  <Field.Label>Show</Field.Label>
                  <SingleSelect value={show} onChange={(v: string | number) => choose(String(v) as Show)}>
                    <SingleSelectOption value="attention">Everything that needs attention</SingleSelectOption>
                    {rules.map((r) => (
                      <SingleSelectOption key={r.id} value={`rule:${r.id}`}>
                        Rule: {r.title} ({totals.byRule[r.id]})
                      </SingleSelectOption>
                    ))}
                    {(Object.keys(REASON) as AuditReason[]).map((r) => (
                      <SingleSelectOption key={r} value={`reason:${r}`}>
                        {REASON[r].label} ({attention.byReason[r]})
                      </SingleSelectOption>
                    ))}
                    <SingleSelectOption value="decorative">Decorative images ({totals.decorative})</SingleSelectOption>
                  </SingleSelect>
                </Field.Root>
              </Box>
            </Flex>
            <Typography tag="p" variant="pi" textColor="neutral600">
              Images used in published entries come first. Needs review: a caption the publishing policy held back. Low quality: a machine caption waiting for review whose calibrated quality is below{' '}
              {qualityPercent(data.minQuality)}, or, without calibration, whose confidence is below {confidencePercent(data.lowConfidence)} (mean token log-probability below {data.lowConfidence}).
            </Typography>
            {attention.results.length === 0 ? (
              <Box padding={6} background="neutral0" hasRadius>
                <Typography tag="p">{show === 'attention' ? 'Nothing needs attention: every image is compliant and reviewed.' : 'No image here.'}</Typography>
              </Box>
            ) : (
              <Table colCount={5} rowCount={attention.results.length + 1} aria-label={listTitle}>
                <Thead>
                  <Tr>
                    <Th>
                      <Typography variant="sigma">Image</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Alt text / caption</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Problems</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Used in</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">Decorative</Typography>
                    </Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {attention.results.map((item) => (
                    <Tr key={item.fileId} data-file={item.fileId}>
                      <Td>
                        <Flex gap={2}>
                          <img src={fileUrl(item.thumbnailUrl)} alt="" width={48} height={48} style={{ objectFit: 'contain' }} />
                          <Typography fontWeight="bold">{item.fileName}</Typography>
                        </Flex>
                      </Td>
                      <Td style={{ whiteSpace: 'normal', maxWidth: 360 }}>
                        <Typography textColor={item.alternativeText ? 'neutral800' : 'neutral600'}>{item.alternativeText || item.captionText || '(none)'}</Typography>
                        {item.captionText && !item.alternativeText && (
                          <Typography tag="p" variant="pi" textColor="neutral600">
                            Caption waiting for review, confidence {confidencePercent(item.confidence)}
                          </Typography>
                        )}
                        {item.error && (
                          <Typography tag="p" variant="pi" textColor="danger600">
                            {item.error}
                          </Typography>
                        )}
                      </Td>
                      <Td>
                        <Flex gap={1} wrap="wrap">
                          {item.rules.map((r) => (
                            <Badge key={r} variant="danger">
                              {ruleTitle.get(r) ?? r}
                            </Badge>
                          ))}
                          {item.reasons
                            .filter((r) => r !== 'no-alt-text')
                            .map((r) => (
                              <Badge key={r} variant={REASON[r]?.variant ?? 'secondary'}>
                                {REASON[r]?.label ?? r}
                              </Badge>
                            ))}
                          {item.domainVerdict === 'out' && item.kind !== 'decorative' && <Badge variant="warning">Out of domain</Badge>}
                          {item.compliant && item.reasons.length === 0 && <Badge variant="success">Compliant</Badge>}
                        </Flex>
                      </Td>
                      <Td>
                        <UsedIn item={item} />
                      </Td>
                      <Td>{allowedActions.canEdit ? <DecorativeControl item={item} onChange={reload} /> : <Typography>{item.decorative ? `Yes: ${item.decorative.reason}` : 'No'}</Typography>}</Td>
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
