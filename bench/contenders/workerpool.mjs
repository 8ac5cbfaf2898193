// workerpool with worker_threads workers and its defaults apart from the pool size.
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';

const script = fileURLToPath(new URL('../workers/workerpool-task.js', import.meta.url));

export const transferSupport = 'yes';

export function open(size) {
  const pool = workerpool.pool(script, { minWorkers: size, maxWorkers: size, workerType: 'thread' });
  return {
    tiny: (x) => pool.exec('tiny', [x]),
    burn: (iterations) => pool.exec('burn', [iterations]),
    echo: (buffer) => pool.exec('echo', [buffer]),
    echoTransfer: (buffer) => pool.exec('echoTransfer', [buffer], { transfer: [buffer] }),
    close: () => pool.terminate(),
  };
}
