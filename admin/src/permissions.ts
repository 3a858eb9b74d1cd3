/** The RBAC actions the server registers (contracts.ts ACTIONS); the admin hides what a role lacks. */
import type { ActionName, ActionUid } from '../../server/src/contracts';

// The uid is checked against the server's at compile time; the value is built here (types only cross over).
const action = (name: ActionName) => [{ action: `plugin::altbridge.${name}` satisfies ActionUid, subject: null }];

export const PERMISSIONS = {
  read: action('read'),
  edit: action('edit'),
  settings: action('settings'),
  finetune: action('finetune'),
} satisfies Record<ActionName, unknown>;
