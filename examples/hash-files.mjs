// SHA-256 of every file under a directory, spread over worker threads, and
// the same work on the main thread for comparison.
//
//   node examples/hash-files.mjs [directory]   (default: this project's node_modules)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'experimental-threads';

const root = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../node_modules', import.meta.url)));
const threads = availableParallelism();

function listFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

// Hashes each file and returns [file, hex digest, size] rows.
function hashFiles(files) {
  return files.map((file) => {
    const bytes = readFileSync(file);
    return [file, createHash('sha256').update(bytes).digest('hex'), bytes.length];
  });
}

// One digest over all rows in file order, so both runs can be compared.
function summarise(rows) {
  const all = createHash('sha256');
  let bytes = 0;
  for (const [file, digest, size] of rows.sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    all.update(`${file}\0${digest}\n`);
    bytes += size;
  }
  return { digest: all.digest('hex'), bytes };
}

const files = listFiles(root);
if (files.length === 0) {
  console.error(`no files under ${root}`);
  process.exit(1);
}

// Read everything once first, so neither timed run pays for cold disk reads.
for (const file of files) readFileSync(file);

// Several chunks per thread of about equal bytes, largest files first, so
// one huge file does not leave the other threads idle.
const chunkCount = threads * 4;
const chunks = Array.from({ length: chunkCount }, () => ({ files: [], bytes: 0 }));
for (const file of [...files].sort((a, b) => statSync(b).size - statSync(a).size)) {
  const lightest = chunks.reduce((best, chunk) => (chunk.bytes < best.bytes ? chunk : best));
  lightest.files.push(file);
  lightest.bytes += statSync(file).size;
}

let started = performance.now();
const parts = await Promise.all(chunks.map(({ files: chunk }) => eval(spawn(() => hashFiles(chunk)))));
const threaded = summarise(parts.flat());
const threadedMs = performance.now() - started;

started = performance.now();
const single = summarise(hashFiles(files));
const singleMs = performance.now() - started;

if (single.digest !== threaded.digest) throw new Error('threaded and main-thread digests differ');
console.log(`${files.length} files, ${(threaded.bytes / 1e6).toFixed(1)} MB under ${root}`);
console.log(`combined SHA-256: ${threaded.digest}`);
console.log(`threads: ${threads}; worker threads ${threadedMs.toFixed(0)} ms, main thread ${singleMs.toFixed(0)} ms, speed-up ${(singleMs / threadedMs).toFixed(2)}x`);
