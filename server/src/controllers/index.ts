import audit from './audit';
import backfill from './backfill';
import captions from './captions';
import finetune from './finetune';
import jobs from './jobs';
import settings from './settings';

export default { audit, backfill, captions, finetune, jobs, settings };
