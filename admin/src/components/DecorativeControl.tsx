/**
 * Mark an image decorative (its alt text empty on purpose), with the reason the mark needs, or unmark
 * it in one click. The server refuses a mark over alt text a person wrote (409): the message says so.
 */
import * as React from 'react';
import { Button, Field, Flex, Typography } from '@strapi/design-system';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { AuditItem, errorMessage } from '../api';
import { PLUGIN_ID } from '../pluginId';

export function DecorativeControl({ item, onChange }: { item: AuditItem; onChange: () => void }) {
  const { put, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [editing, setEditing] = React.useState(false);
  const [reason, setReason] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const url = `/${PLUGIN_ID}/decorative/${item.fileId}`;

  async function run(call: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await call();
      toggleNotification({ type: 'success', message: done });
      setEditing(false);
      onChange();
    } catch (err) {
      toggleNotification({ type: 'danger', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  if (item.decorative)
    return (
      <Flex direction="column" alignItems="flex-start" gap={1}>
        <Typography variant="pi">Decorative: {item.decorative.reason}</Typography>
        <Button variant="tertiary" size="S" loading={busy} onClick={() => run(() => del(url), `${item.fileName} is no longer decorative`)}>
          Unmark decorative
        </Button>
      </Flex>
    );
  if (!editing)
    return (
      <Button variant="tertiary" size="S" onClick={() => setEditing(true)}>
        Mark decorative
      </Button>
    );
  const save = () => run(() => put(url, { reason }), `${item.fileName} marked decorative`);
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      <Field.Root name={`decorative-${item.fileId}`} hint="Why it adds nothing a reader needs (a divider, a background texture)." required>
        <Field.Label>Reason {item.fileName} is decorative</Field.Label>
        <Field.Input
          autoFocus
          value={reason}
          disabled={busy}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setReason(e.target.value)}
          onKeyDown={(e: React.KeyboardEvent) => e.key === 'Enter' && reason.trim() && save()}
        />
        <Field.Hint />
      </Field.Root>
      <Flex gap={1}>
        <Button size="S" disabled={!reason.trim()} loading={busy} onClick={save}>
          Mark
        </Button>
        <Button size="S" variant="tertiary" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Flex>
    </Flex>
  );
}
