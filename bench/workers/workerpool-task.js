'use strict';
// Worker script for workerpool: the operations, registered by name.

const workerpool = require('workerpool');
const work = require('../work.js');

workerpool.worker({
  tiny: work.tiny,
  burn: work.burn,
  echo: (buffer) => buffer,
  echoTransfer: (buffer) => new workerpool.Transfer(buffer, [buffer]),
});
