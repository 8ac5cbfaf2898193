'use strict';
// Nightly report job in CommonJS: it may return early at the top level.
const { spawn } = require('experimental-threads');
const crypto = require('node:crypto');
const { createHash: hash } = require('node:crypto');
const cpus = require('node:os').cpus;

if (require.main !== module) return;

const salt = crypto.randomBytes(8).toString('hex');

function checksum(rows) {
  return hash('sha256').update(salt + JSON.stringify(rows)).digest('hex');
}

async function main(rows) {
  const started = Date.now();
  const summary = await eval(spawn(() => ({
    count: rows.length,
    checksum: checksum(rows),
    cpus: cpus().length,
    elapsed: Date.now() - started,
  })));
  console.log(summary);
}

main(JSON.parse(process.argv[2] || '[]'));
