/**
 * The plugin's admin panel entry (package.json#exports['./strapi-admin'], loaded by Strapi's admin
 * build from source): a menu link to the plugin's pages (Captions, Backfill, Accessibility audit,
 * Failed jobs, Fine-tuning; pages/App.tsx) and a settings section (Captioning, Bundle versions,
 * Host check).
 */
import { Sparkle } from '@strapi/icons';
import { PERMISSIONS } from './permissions';
import { PLUGIN_ID } from './pluginId';

interface AdminApp {
  addMenuLink(link: unknown): void;
  addSettingsLink(section: unknown, link: unknown): void;
  registerPlugin(plugin: { id: string; name: string }): void;
}

export default {
  register(app: AdminApp) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Sparkle,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: 'Alt text' },
      permissions: PERMISSIONS.read,
      Component: () => import('./pages/App').then((mod) => ({ default: mod.App })),
    });
    const section = { id: PLUGIN_ID, intlLabel: { id: `${PLUGIN_ID}.settings.section`, defaultMessage: 'Alt text' } };
    app.addSettingsLink(section, {
      id: 'settings',
      to: PLUGIN_ID,
      intlLabel: { id: `${PLUGIN_ID}.settings.link`, defaultMessage: 'Captioning' },
      permissions: PERMISSIONS.settings,
      Component: () => import('./pages/SettingsPage').then((mod) => ({ default: mod.ProtectedSettingsPage })),
    });
    // The section exists now: further links name it by id.
    app.addSettingsLink(PLUGIN_ID, {
      id: 'versions',
      to: `${PLUGIN_ID}-versions`,
      intlLabel: { id: `${PLUGIN_ID}.settings.versions`, defaultMessage: 'Bundle versions' },
      permissions: PERMISSIONS.finetune,
      Component: () => import('./pages/VersionsPage').then((mod) => ({ default: mod.ProtectedVersionsPage })),
    });
    app.addSettingsLink(PLUGIN_ID, {
      id: 'host-check',
      to: `${PLUGIN_ID}-host-check`,
      intlLabel: { id: `${PLUGIN_ID}.settings.host-check`, defaultMessage: 'Host check' },
      permissions: PERMISSIONS.settings,
      Component: () => import('./pages/HostCheckPage').then((mod) => ({ default: mod.ProtectedHostCheckPage })),
    });
    app.registerPlugin({ id: PLUGIN_ID, name: 'Alt text' });
  },

  bootstrap() {},

  /** English only, from the defaultMessages in the code. */
  async registerTrads({ locales }: { locales: string[] }) {
    return locales.map((locale) => ({ locale, data: {} }));
  },
};
