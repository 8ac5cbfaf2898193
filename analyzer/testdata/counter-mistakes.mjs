// Closures that cannot run on a worker thread as written.
import { spawn } from 'experimental-threads';

let total = 0;
const cache = new Map();

export class Counter {
  count = 0;

  incrementLater() {
    return eval(spawn(() => {
      this.count++;
      total += 1;
      cache.set('calls', arguments.length);
      return super.toString() + String(new.target);
    }));
  }
}
