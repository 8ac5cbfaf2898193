'use strict';
// The work every contender runs, so all of them execute the same code.

/** Returns x + 1: the tiny task whose cost is almost all dispatch overhead. */
function tiny(x) {
  return x + 1;
}

/**
 * Runs `iterations` rounds of an xorshift generator and returns a checksum.
 * Integer-only, so its speed depends on the CPU and not on allocation or GC.
 */
function burn(iterations) {
  let x = 0x2545f491;
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    sum = (sum + (x & 0xff)) | 0;
  }
  return sum;
}

module.exports = { tiny, burn };
