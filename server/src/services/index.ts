/** The plugin's services, one per noun (as Strapi's upload plugin has them). */
import audit from './audit';
import backfill from './backfill';
import bundles from './bundles';
import captions from './captions';
import consumer from './consumer';
import corpora from './corpora';
import decorative from './decorative';
import doctor from './doctor';
import finetune from './finetune';
import preview from './preview';
import queue from './queue';
import settings from './settings';
import workers from './workers';

const services = { audit, backfill, bundles, captions, consumer, corpora, decorative, doctor, finetune, preview, queue, settings, workers };
export default services;

type ServiceTypes = { [K in keyof typeof services]: ReturnType<(typeof services)[K]> };

// getService's name -> type map (utils.ts), filled in here so that utils.ts imports no service.
declare module '../utils' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by extension
  interface Services extends ServiceTypes {}
}
