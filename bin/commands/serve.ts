// `ser-native serve`: the HTTP/WebSocket API and the web page (lib/serve/server.ts).
import type { Argv } from 'yargs';
import { SerNativeError } from '../../lib/errors';
import * as is from '../../lib/is';
import { DEFAULT_LIMITS, resolveLimits } from '../../lib/serve/options';
import { meta, type Command } from '../command-meta';
import { checkDevice, checkPrecision, precisionOption } from '../data-options';

interface Args {
  model?: string;
  host: string;
  port: number;
  token?: string;
  'body-limit': number;
  'max-streams': number;
  'max-queue': number;
  'idle-timeout': number;
  device: string;
  precision: string;
  log: boolean;
}

export const serveCommand: Command<Args> = {
  ...meta('serve'),
  builder: (y: Argv<object>) =>
    y
      .option('model', { type: 'string', describe: 'Model bundle folder (default: the shipped default model)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind; 0.0.0.0 exposes the server to the network (use --token then)' })
      .option('port', { type: 'number', default: 8080, describe: 'TCP port (0 picks a free one)' })
      .option('token', { type: 'string', describe: 'Require "Authorization: Bearer <token>" on /v1/* (WebSocket: ?token=); also read from SER_NATIVE_TOKEN' })
      .option('body-limit', { type: 'number', default: DEFAULT_LIMITS.bodyLimit / 1048576, describe: 'Largest upload, MB (larger requests get 413)' })
      .option('max-streams', { type: 'number', default: DEFAULT_LIMITS.maxStreams, describe: 'WebSocket streams open at once (more are closed with 1013)' })
      .option('max-queue', { type: 'number', default: DEFAULT_LIMITS.maxQueue, describe: 'Predictions waiting or running at once (more get 503)' })
      .option('idle-timeout', { type: 'number', default: DEFAULT_LIMITS.idleTimeout, describe: 'Seconds a stream or keep-alive connection may stay silent' })
      .option('device', { type: 'string', default: 'cpu', describe: 'auto | cpu | cuda | cuda:N' })
      .option('precision', precisionOption)
      .option('log', { type: 'boolean', default: false, describe: 'Log every request as JSON lines on stdout' })
      .example('$0 serve', 'the default model; then open http://127.0.0.1:8080/')
      .example('$0 serve --model ser-model/model --port 9000 --token s3cret', 'your own model, API behind a bearer token') as unknown as Argv<Args>,
  flagNames: () => ({ 'limits.maxStreams': '--max-streams', 'limits.maxQueue': '--max-queue', 'limits.idleTimeout': '--idle-timeout' }),
  handler: async (a) => {
    // Every flag is checked before the model loads.
    const device = checkDevice(a.device);
    const precision = checkPrecision(a.precision);
    is.integer('--port', a.port, 0, 65535);
    is.number('--body-limit', a['body-limit'], { min: 0.001, max: 2048 }); // MB; limits.bodyLimit is in bytes
    const limits = resolveLimits({ bodyLimit: Math.round(a['body-limit'] * 1048576), maxStreams: a['max-streams'], maxQueue: a['max-queue'], idleTimeout: a['idle-timeout'] });
    const { loadModel } = await import('../../lib/model/model');
    const { createServer } = await import('../../lib/serve/server');
    const model = loadModel(a.model, { device, precision });
    const token = a.token ?? process.env.SER_NATIVE_TOKEN;
    const app = await createServer({ model, modelPath: model.path, token, logger: a.log, limits });
    let address: string;
    try {
      address = await app.listen({ host: a.host, port: a.port });
    } catch (e) {
      await app.close();
      throw new SerNativeError('ERR_IO', `cannot listen on --host ${a.host} --port ${a.port}: ${(e as Error).message}`, { cause: e });
    }
    process.stderr.write(`ser-native: serving ${model.labels.length} emotions from ${model.path} at ${address}/ (API under /v1/${token ? ', bearer token required' : ''}); Ctrl-C stops\n`);
    if (a.host !== '127.0.0.1' && a.host !== 'localhost' && a.host !== '::1' && !token) {
      process.stderr.write('ser-native: warning: listening beyond this machine without --token: anyone who can reach the port can use it\n');
    }
    const stop = () => void app.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
};
