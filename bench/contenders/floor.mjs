// The hand-written worker_threads pool in bench/floor-pool.js.
import floor from '../floor-pool.js';

export const transferSupport = 'yes';

export function open(size) {
  const pool = new floor.FloorPool(size);
  return {
    tiny: (x) => pool.run('tiny', x),
    burn: (iterations) => pool.run('burn', iterations),
    echo: (buffer) => pool.run('echo', buffer),
    echoTransfer: (buffer) => pool.run('echo', buffer, [buffer]),
    close: () => pool.close(),
  };
}
