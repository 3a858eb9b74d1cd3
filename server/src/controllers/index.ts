import audit from './audit';
import backfill from './backfill';
import captions from './captions';
import doctor from './doctor';
import finetune from './finetune';
import jobs from './jobs';
import settings from './settings';

export default { audit, backfill, captions, doctor, finetune, jobs, settings };
