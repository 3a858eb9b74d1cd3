/** Thin controllers, one per service they call: parse the request, call the service, answer. */
import audit from './audit';
import backfill from './backfill';
import bundles from './bundles';
import captions from './captions';
import corpora from './corpora';
import decorative from './decorative';
import doctor from './doctor';
import finetune from './finetune';
import jobs from './jobs';
import preview from './preview';
import settings from './settings';
import workers from './workers';

export default { audit, backfill, bundles, captions, corpora, decorative, doctor, finetune, jobs, preview, settings, workers };
