/**
 * The plugin's admin panel entry (package.json#exports['./strapi-admin'], loaded by Strapi's admin
 * build from source): a menu link to the Captions page and a settings section with Settings.
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
      Component: () => import('./pages/CaptionsPage').then((mod) => ({ default: mod.ProtectedCaptionsPage })),
    });
    app.addSettingsLink(
      { id: PLUGIN_ID, intlLabel: { id: `${PLUGIN_ID}.settings.section`, defaultMessage: 'Alt text' } },
      {
        id: 'settings',
        to: PLUGIN_ID,
        intlLabel: { id: `${PLUGIN_ID}.settings.link`, defaultMessage: 'Captioning' },
        permissions: PERMISSIONS.settings,
        Component: () => import('./pages/SettingsPage').then((mod) => ({ default: mod.ProtectedSettingsPage })),
      },
    );
    app.registerPlugin({ id: PLUGIN_ID, name: 'Alt text' });
  },

  bootstrap() {},

  /** English only, from the defaultMessages in the code. */
  async registerTrads({ locales }: { locales: string[] }) {
    return locales.map((locale) => ({ locale, data: {} }));
  },
};
