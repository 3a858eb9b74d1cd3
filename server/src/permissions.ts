/** Registers the plugin's admin RBAC actions (defined in contracts.ts); every admin route names the one it needs. */
import type { Core } from '@strapi/strapi';
import { ActionName, ACTIONS } from './contracts';

export { ACTIONS };

const DISPLAY: Record<ActionName, string> = {
  read: 'Read captions',
  edit: 'Edit, approve and regenerate captions',
  settings: 'Change captioning settings',
  finetune: 'Run fine-tuning',
};

export async function registerActions(strapi: Core.Strapi): Promise<void> {
  const actions = (Object.keys(ACTIONS) as ActionName[]).map((uid) => ({
    section: 'plugins',
    displayName: DISPLAY[uid],
    uid,
    pluginName: 'altbridge',
  }));
  await strapi.service('admin::permission').actionProvider.registerMany(actions);
}
