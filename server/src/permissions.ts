/** The plugin's admin RBAC actions; every admin route names the one it needs. */
import type { Core } from '@strapi/strapi';

export const ACTIONS = {
  read: 'plugin::altbridge.read',
  edit: 'plugin::altbridge.edit',
  settings: 'plugin::altbridge.settings',
  finetune: 'plugin::altbridge.finetune',
} as const;

const DISPLAY: Record<keyof typeof ACTIONS, string> = {
  read: 'Read captions',
  edit: 'Edit, approve and regenerate captions',
  settings: 'Change captioning settings',
  finetune: 'Run fine-tuning',
};

export async function registerActions(strapi: Core.Strapi): Promise<void> {
  const actions = (Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]).map((uid) => ({
    section: 'plugins',
    displayName: DISPLAY[uid],
    uid,
    pluginName: 'altbridge',
  }));
  await strapi.service('admin::permission').actionProvider.registerMany(actions);
}
