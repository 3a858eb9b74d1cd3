import captions from './captions';
import jobs from './jobs';
import settings from './settings';

export default { captions, jobs, settings };
