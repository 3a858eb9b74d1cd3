/**
 * Bundle versions: every installed bundle version, the active one marked, and Activate (a newer
 * version) or Roll back (an older one of the active bundle) on the others that can caption.
 */
import * as React from 'react';
import { Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { BundleVersion, errorMessage } from '../api';
import { Badge } from '../components/Badge';
import { ErrorNote } from '../components/ErrorNote';
import { useResource } from '../hooks/useResource';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

export const ProtectedVersionsPage = () => (
  <Page.Protect permissions={PERMISSIONS.finetune}>
    <VersionsPage />
  </Page.Protect>
);

/** -1, 0 or 1 as dotted version a is below, equal to or above b. */
const compare = (a: string, b: string) => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
};

export function VersionsPage() {
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({ settings: PERMISSIONS.settings });
  const { data, error, reload } = useResource<BundleVersion[]>(`/${PLUGIN_ID}/bundles/versions`);
  const [busy, setBusy] = React.useState<string | null>(null);

  async function activate(ref: string) {
    setBusy(ref);
    try {
      const res = await post<{ data: { bundle: string; previous: string } }>(`/${PLUGIN_ID}/bundles/activate`, { bundle: ref });
      toggleNotification({ type: 'success', message: `${res.data.data.bundle} is active (was ${res.data.data.previous})` });
      reload();
    } catch (err) {
      toggleNotification({ type: 'danger', message: `Not activated: ${errorMessage(err)}` });
    } finally {
      setBusy(null);
    }
  }

  if (!data) return error ? <Page.Error /> : <Page.Loading />;
  const active = data.find((v) => v.active);
  return (
    <Page.Main>
      <Page.Title>Alt text bundle versions</Page.Title>
      <Layouts.Header
        title="Bundle versions"
        subtitle={`Active: ${active?.ref ?? 'none'}. Switching is atomic: captions in progress finish on the old version; earlier versions stay installed for rollback.`}
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {error && <ErrorNote>Could not refresh: {error}</ErrorNote>}
          <Table colCount={4} rowCount={data.length + 1} aria-label="Installed bundle versions">
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">Version</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Status</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Notes</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Action</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {data.map((v) => {
                const usable = v.captions && !v.problem;
                const rollback = active?.name === v.name && compare(v.version, active.version) < 0;
                return (
                  <Tr key={v.ref} data-bundle={v.ref}>
                    <Td>
                      <Typography fontWeight="bold">{v.ref}</Typography>
                      {v.createdAt && (
                        <Typography tag="p" variant="pi" textColor="neutral600">
                          {new Date(v.createdAt).toLocaleString()}
                        </Typography>
                      )}
                    </Td>
                    <Td>
                      {v.active ? (
                        <Badge variant="success">Active</Badge>
                      ) : v.problem ? (
                        <Badge variant="danger">Unusable</Badge>
                      ) : !v.captions ? (
                        <Badge>CLIP only</Badge>
                      ) : (
                        <Badge variant="secondary">Installed</Badge>
                      )}
                    </Td>
                    <Td>
                      <Typography style={{ whiteSpace: 'normal' }}>{v.problem ?? v.notes ?? ''}</Typography>
                    </Td>
                    <Td>
                      {allowedActions.canSettings && !v.active && usable && (
                        <Button
                          size="S"
                          variant={rollback ? 'secondary' : 'default'}
                          loading={busy === v.ref}
                          disabled={busy !== null}
                          onClick={() => activate(v.ref)}
                          aria-label={`${rollback ? 'Roll back to' : 'Activate'} ${v.ref}`}
                        >
                          {rollback ? 'Roll back' : 'Activate'}
                        </Button>
                      )}
                    </Td>
                  </Tr>
                );
              })}
            </Tbody>
          </Table>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
