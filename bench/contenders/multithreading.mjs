// multithreading: spawn(move(...args), fn).join(). move() transfers an
// argument or result that is itself an ArrayBuffer or typed array and clones
// anything else, so the copy test wraps the buffer in an object.
import { initRuntime, move, shutdown, spawn } from 'multithreading';

const workURL = new URL('../work.js', import.meta.url).href;

export const transferSupport = 'yes';

async function join(handle) {
  const result = await handle.join();
  if (!result.ok) throw result.error;
  return result.value;
}

export function open(size) {
  initRuntime({ maxWorkers: size });
  return {
    tiny: (x) => join(spawn(move(x), (x) => x + 1)),
    burn: (iterations) =>
      join(spawn(move(workURL, iterations), async (url, iterations) => (await import(url)).default.burn(iterations))),
    echo: async (buffer) => (await join(spawn(move({ buffer }), (box) => box))).buffer,
    echoTransfer: (buffer) => join(spawn(move(buffer), (buffer) => buffer)),
    close: () => shutdown(),
  };
}
