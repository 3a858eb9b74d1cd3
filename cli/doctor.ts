/** `altbridge doctor [--json] [--redis URL] [--database URL] [--no-services]`: is this host ready, and if not, why. */
import * as ort from 'onnxruntime-node';
import { renderReport, runDoctor } from '../worker/doctor/report';
import { defineCommand } from './command';

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'check this host: Node, onnxruntime providers, CUDA libraries, bundles, disk, Redis, PostgreSQL',
  about: 'Each problem comes with its fix; the exit status is 1 when any check fails.',
  options: {
    json: { type: 'flag', help: 'the report as JSON' },
    redis: { type: 'text', arg: 'URL', defaultText: '$REDIS_URL, else the local Redis', help: 'the Redis to check' },
    database: { type: 'text', arg: 'URL', defaultText: '$DATABASE_URL, else the local PostgreSQL', help: 'the PostgreSQL to check' },
    'no-services': { type: 'flag', help: 'skip the Redis and PostgreSQL checks' },
  },
  example: 'altbridge doctor --redis redis://127.0.0.1:6379',
  async run(values) {
    // The report gives each provider's failure in one line; onnxruntime's own log would repeat it on stderr.
    ort.env.logLevel = 'fatal';
    const report = await runDoctor({ redisUrl: values.redis, databaseUrl: values.database, services: !values['no-services'] });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    return report.ok ? 0 : 1;
  },
});
