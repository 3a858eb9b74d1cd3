/** The RBAC actions the server registers (server/src/permissions.ts); the admin hides what a role lacks. */
const action = (name: string) => [{ action: `plugin::altbridge.${name}`, subject: null }];

export const PERMISSIONS = {
  read: action('read'),
  edit: action('edit'),
  settings: action('settings'),
  finetune: action('finetune'),
};
