/**
 * Captions: every image's caption with its thumbnail, status, quality and confidence; the active
 * bundle's domain; filters for what needs a person (unreviewed, needs review, low quality, missing alt
 * text, failed), review actions per caption, bulk approve of a selection (which skips files with a
 * person's alt text, and out-of-domain captions unless asked), and pages of PAGE_SIZE. While a
 * caption is queued the page refreshes itself.
 */
import * as React from 'react';
import { Box, Button, Checkbox, Flex, Typography } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { styled } from 'styled-components';
import { BulkApproval, BulkSkipReason, Caption, CaptionList, errorMessage, Limits } from '../api';
import { CaptionCard } from '../components/CaptionCard';
import { DomainNotice } from '../components/DomainNotice';
import { Pager } from '../components/Pager';
import { confidencePercent, qualityPercent } from '../format';
import { useLimits } from '../hooks/useLimits';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

const PAGE_SIZE = 12;
const POLL_MS = 2000;

type FilterId = 'all' | 'unreviewed' | 'review' | 'low' | 'missing' | 'failed';

/** The filters; "low quality" is the server's one definition (calibrated quality, else confidence), as the audit's. */
const filters = (limits: Limits): { id: FilterId; label: string; params: Record<string, unknown> }[] => [
  { id: 'all', label: 'All', params: {} },
  { id: 'unreviewed', label: 'Unreviewed', params: { status: 'suggested' } },
  { id: 'review', label: 'Needs review', params: { status: 'needs-review' } },
  {
    id: 'low',
    label: `Low quality (below ${qualityPercent(limits.minQuality)}; uncalibrated: confidence below ${confidencePercent(limits.lowConfidence)})`,
    params: { low: 'true' },
  },
  { id: 'missing', label: 'Missing alt text', params: { missingAlt: 'true' } },
  { id: 'failed', label: 'Failed', params: { status: 'failed' } },
];

const Grid = styled.ul`
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
  gap: ${({ theme }) => theme.spaces[4]};
  padding: 0;
  margin: 0;
`;

export function CaptionsPage() {
  const limits = useLimits();
  if (!limits.data) return limits.error ? <Page.Error /> : <Page.Loading />;
  return <Captions limits={limits.data} />;
}

function Captions({ limits }: { limits: Limits }) {
  const filterChoices = React.useMemo(() => filters(limits), [limits]);
  const { get, post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({ edit: PERMISSIONS.edit });
  const canEdit = allowedActions.canEdit;
  const [filter, setFilter] = React.useState<FilterId>('all');
  const [page, setPage] = React.useState(1);
  const [data, setData] = React.useState<CaptionList | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const [bulkBusy, setBulkBusy] = React.useState(false);
  const [includeOutOfDomain, setIncludeOutOfDomain] = React.useState(false);
  const [reloads, setReloads] = React.useState(0);
  const reload = React.useCallback(() => setReloads((n) => n + 1), []);

  React.useEffect(() => {
    let live = true;
    const params = { ...filterChoices.find((f) => f.id === filter)!.params, page, pageSize: PAGE_SIZE };
    get<{ data: CaptionList }>(`/${PLUGIN_ID}/captions`, { params })
      .then((res) => {
        if (!live) return;
        setData(res.data.data);
        setError(null);
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [get, filterChoices, filter, page, reloads]);

  // New captions arrive from the queue: refresh while any shown caption is waiting for one.
  const waiting = data?.results.some((c) => c.status === 'queued') ?? false;
  React.useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(reload, POLL_MS);
    return () => clearTimeout(t);
  }, [waiting, data, reload]);

  const chooseFilter = (id: FilterId) => {
    setFilter(id);
    setPage(1);
    setSelected(new Set());
  };

  const replace = (c: Caption) => setData((d) => d && { ...d, results: d.results.map((r) => (r.documentId === c.documentId ? c : r)) });

  const onPage = data?.results ?? [];
  const allSelected = onPage.length > 0 && onPage.every((c) => selected.has(c.documentId));
  const someSelected = onPage.some((c) => selected.has(c.documentId));

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  async function bulkApprove() {
    const ids = [...selected];
    setBulkBusy(true);
    try {
      const res = await post<{ data: BulkApproval }>(`/${PLUGIN_ID}/captions/bulk-approve`, { ids, includeOutOfDomain });
      const { approved, skipped } = res.data.data;
      const count = (reason: BulkSkipReason) => skipped.filter((s) => s.reason === reason).length;
      const [human, decorative, outside] = [count('human-alt-text'), count('decorative'), count('out-of-domain')];
      const notes = [
        human && `${human} skipped: alt text written by a person (approve each on its own)`,
        decorative && `${decorative} skipped: marked decorative`,
        outside && `${outside} skipped: out of domain`,
      ].filter(Boolean);
      toggleNotification({
        type: skipped.length ? 'warning' : 'success',
        message: `Approved ${approved.length} caption${approved.length === 1 ? '' : 's'}${notes.length ? `; ${notes.join('; ')}` : ''}`,
      });
      setSelected(new Set());
      reload();
    } catch (err) {
      toggleNotification({ type: 'danger', message: `Bulk approve failed: ${errorMessage(err)}` });
    } finally {
      setBulkBusy(false);
    }
  }

  const pagination = data?.pagination;
  return (
    <Page.Main>
      <Page.Title>Alt text captions</Page.Title>
      <Layouts.Header title="Alt text" subtitle={pagination ? `${pagination.total} caption${pagination.total === 1 ? '' : 's'}${filter === 'all' ? '' : ' match this filter'}` : 'Loading captions…'} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <DomainNotice bundle={limits.bundle} />
          <Flex gap={2} wrap="wrap" role="group" aria-label="Show captions">
            {filterChoices.map((f) => (
              <Button key={f.id} size="S" variant={filter === f.id ? 'default' : 'tertiary'} aria-pressed={filter === f.id} onClick={() => chooseFilter(f.id)}>
                {f.label}
              </Button>
            ))}
          </Flex>

          {canEdit && onPage.length > 0 && (
            <Flex gap={4} alignItems="center">
              <Checkbox
                checked={allSelected ? true : someSelected ? 'indeterminate' : false}
                onCheckedChange={(v) => setSelected(v === true ? new Set([...selected, ...onPage.map((c) => c.documentId)]) : new Set())}
              >
                Select all on this page
              </Checkbox>
              <Button startIcon={<Check />} variant="success-light" disabled={selected.size === 0} loading={bulkBusy} onClick={bulkApprove}>
                Approve selected ({selected.size})
              </Button>
              <Checkbox checked={includeOutOfDomain} onCheckedChange={(v) => setIncludeOutOfDomain(v === true)}>
                Include out-of-domain captions
              </Checkbox>
            </Flex>
          )}

          {error && (
            <Box role="alert" padding={4} background="danger100" hasRadius>
              <Typography textColor="danger700">Could not load captions: {error}</Typography>
            </Box>
          )}

          {data && onPage.length === 0 && (
            <Box padding={8} background="neutral0" hasRadius>
              <Typography tag="p">{filter === 'all' ? 'No captions yet: upload an image to the Media Library and its caption appears here.' : 'No captions match this filter.'}</Typography>
            </Box>
          )}

          {onPage.length > 0 && (
            <Grid aria-label="Captions">
              {onPage.map((c) => (
                <CaptionCard
                  key={c.documentId}
                  caption={c}
                  limits={limits}
                  canEdit={canEdit}
                  selected={selected.has(c.documentId)}
                  onSelect={(on) => toggle(c.documentId, on)}
                  onChanged={replace}
                  onQueued={reload}
                />
              ))}
            </Grid>
          )}

          {pagination && <Pager label="Caption pages" page={page} pagination={pagination} onPage={setPage} />}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
