// Password hashing with bcryptjs (pure JavaScript), spread over worker
// threads, and the same work on the main thread for comparison.
//
//   node examples/passwords.mjs [count]   (default: 16 passwords, cost 10)
import bcrypt from 'bcryptjs';
import { availableParallelism } from 'node:os';
import { spawn } from 'experimental-threads';

const count = Number(process.argv[2] ?? 16);
const cost = 10;
const threads = availableParallelism();
const passwords = Array.from({ length: count }, (_, i) => `correct horse battery staple ${i}`);
// Fixed salts make the hashes reproducible, so both runs can be compared.
const salts = passwords.map((_, i) => `$2b$${cost}$${String(i % 100).padStart(2, '0')}abcdefghijklmnopqrstu`.slice(0, 29));

let started = performance.now();
const threaded = await Promise.all(passwords.map((password, i) => {
  const salt = salts[i];
  return eval(spawn(() => bcrypt.hashSync(password, salt)));
}));
const threadedMs = performance.now() - started;

started = performance.now();
const single = passwords.map((password, i) => bcrypt.hashSync(password, salts[i]));
const singleMs = performance.now() - started;

if (threaded.join() !== single.join()) throw new Error('threaded and main-thread hashes differ');
const ok = bcrypt.compareSync(passwords[0], threaded[0]);
console.log(`${count} bcrypt hashes at cost ${cost}; first: ${threaded[0]} (verifies: ${ok})`);
console.log(`threads: ${threads}; worker threads ${threadedMs.toFixed(0)} ms, main thread ${singleMs.toFixed(0)} ms, speed-up ${(singleMs / threadedMs).toFixed(2)}x`);
