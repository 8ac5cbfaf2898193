// The first example: a closure runs on a worker thread with a captured
// variable and an imported function, and its result comes back.
//
//   node examples/quickstart.mjs
import { spawn } from 'experimental-threads';
import { v4 as uuidv4 } from 'uuid';
import { threadId } from 'node:worker_threads';

const data = { hello: 'world' };

const result = await eval(spawn(() => {
  console.log(`worker thread ${threadId} sees data.hello = ${data.hello}`);
  return uuidv4(); // the import is re-created inside the worker
}));

console.log(`main thread ${threadId} got a UUID from the worker: ${result}`);
