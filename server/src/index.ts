/** The altbridge Strapi plugin's server side. */
import type { Core } from '@strapi/strapi';
import * as path from 'path';
import { useModelsDir } from '../../worker/bundle/load';
import { seedModels } from '../../worker/bundle/seed';
import { appIdOf, defaultQueue } from './app-identity';
import config from './config';
import auditSnapshot from './content-types/audit-snapshot';
import caption from './content-types/caption';
import decorative from './content-types/decorative';
import controllers from './controllers';
import { corpusUploadBody } from './controllers/corpora';
import { registerActions } from './permissions';
import routes from './routes';
import services from './services';
import { subscribeUploads } from './upload-hook';
import { appModelsDir, getService, pluginConfig } from './utils';

let snapshots: NodeJS.Timeout | undefined;

/** The audit's totals once a day (the first check an hour after start), so the progress chart has a point for days nobody opened the audit. */
function snapshotDaily(strapi: Core.Strapi): void {
  let last = '';
  snapshots = setInterval(() => {
    const today = new Date().toISOString().slice(0, 10);
    if (today === last) return;
    last = today;
    getService(strapi, 'audit')
      .snapshotNow()
      .catch((err: Error) => strapi.log.error(`altbridge: audit snapshot: ${err.message}`));
  }, 3_600_000);
  snapshots.unref();
}

export default {
  config,
  contentTypes: { caption, decorative, 'audit-snapshot': auditSnapshot },
  routes,
  controllers,
  services,

  register({ strapi }: { strapi: Core.Strapi }) {
    // Bundles live in the app, not in node_modules; the package's own bundles are copied in once.
    const models = appModelsDir(strapi);
    useModelsDir(models);
    for (const added of seedModels(models)) strapi.log.info(`altbridge: bundle ${path.basename(added)} copied into ${models}`);
    // Before the app's middlewares (Strapi adds them after register), so before its body parser.
    strapi.server.use(corpusUploadBody(strapi));
    // Before any service opens the queue: names the config leaves empty come from the app's identity.
    const c = pluginConfig(strapi);
    const derived = defaultQueue(appIdOf(strapi));
    c.queueName ||= derived.queueName;
    c.queuePrefix ||= derived.queuePrefix;
  },

  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    await registerActions(strapi);
    subscribeUploads(strapi);
    snapshotDaily(strapi);
    if (pluginConfig(strapi).worker === 'inline') getService(strapi, 'consumer').start('inline');
  },

  async destroy({ strapi }: { strapi: Core.Strapi }) {
    clearInterval(snapshots);
    await getService(strapi, 'finetune').stop();
    await getService(strapi, 'consumer').stop();
    await getService(strapi, 'preview').close();
    await getService(strapi, 'queue').close();
  },
};
