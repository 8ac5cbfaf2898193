// piscina with its defaults apart from the pool size.
import { Piscina, move } from 'piscina';

const taskFile = new URL('../workers/basic-task.mjs', import.meta.url).href;
const moveFile = new URL('../workers/piscina-move.mjs', import.meta.url).href;

export const transferSupport = 'yes';

export function open(size) {
  const pool = new Piscina({ filename: taskFile, minThreads: size, maxThreads: size });
  return {
    tiny: (x) => pool.run(x, { name: 'tiny' }),
    burn: (iterations) => pool.run(iterations, { name: 'burn' }),
    echo: (buffer) => pool.run(buffer, { name: 'echo' }),
    echoTransfer: (buffer) => pool.run(move(buffer), { filename: moveFile }),
    close: () => pool.destroy(),
  };
}
