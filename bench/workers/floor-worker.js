'use strict';
// Worker side of the floor pool: run the op and post the result back.

const { parentPort } = require('node:worker_threads');
const work = require('../work.js');

const ops = {
  tiny: work.tiny,
  burn: work.burn,
  echo: (buffer) => buffer,
};

parentPort.on('message', ({ id, op, arg, transfer }) => {
  try {
    const value = ops[op](arg);
    parentPort.postMessage({ id, value }, transfer ? [value] : undefined);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.stack) });
  }
});
