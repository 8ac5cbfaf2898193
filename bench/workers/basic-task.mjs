// Task module for piscina and tinypool: one named export per operation,
// chosen with the pool's `name` option. It imports neither library, so
// starting a worker costs what each library itself loads.
import work from '../work.js';

export const tiny = work.tiny;
export const burn = work.burn;
export const echo = (buffer) => buffer;
