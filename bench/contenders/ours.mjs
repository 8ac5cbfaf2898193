// experimental-threads: each operation is a closure run with eval(spawn(...)).
import * as threads from 'experimental-threads';
import { burn } from '../work.js';

const { configure, shutdown, spawn } = threads;

export const transferSupport = typeof threads.move === 'function' ? 'yes' : 'not supported yet';

export function open(size) {
  configure({ size });
  const pool = {
    tiny: (x) => eval(spawn(() => x + 1)),
    burn: (iterations) => eval(spawn(() => burn(iterations))),
    // The buffer is captured, so it is copied in; the result is copied out.
    echo: (buffer) => eval(spawn(() => buffer)),
    close: () => shutdown(),
  };
  if (transferSupport === 'yes') {
    // move() marks the captured buffer and the returned one for transfer.
    pool.echoTransfer = (buffer) => {
      const moved = threads.move(buffer);
      return eval(spawn(() => threads.move(moved)));
    };
  }
  return pool;
}
