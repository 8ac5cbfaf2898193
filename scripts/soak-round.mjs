// One round of the soak workload, which scripts/soak.mjs and
// scripts/soak-memory.mjs both run: a task with a captured payload, a task
// that takes an async Mutex lock and a blocking Semaphore permit, a task that
// throws a RangeError, and a lock taken on the calling thread.
import { spawn } from '../index.js';

/** Runs round i; resolves to the number of expected errors it caught. */
export async function round(i, mutex, semaphore) {
  const payload = { id: i, text: 'x'.repeat(i % 1000), list: Array.from({ length: 50 }, (_, j) => j) };
  let errors = 0;
  const work = [];
  work.push(eval(spawn(() => payload.list.reduce((a, b) => a + b, payload.id))));
  work.push(eval(spawn(async () => {
    const guard = await mutex.lock();
    guard.value[0]++;
    guard.unlock();
    const permit = semaphore.acquireSync();
    permit.release();
  })));
  work.push(eval(spawn(() => {
    throw new RangeError(`expected failure ${payload.id}`, { cause: payload.text.length });
  })).catch((error) => {
    if (!(error instanceof RangeError)) throw error;
    errors++;
  }));
  const guard = await mutex.lock();
  guard.value[0]++;
  guard.unlock();
  await Promise.all(work);
  return errors;
}

/** The number of tasks that one round spawns. */
export const TASKS_PER_ROUND = 3;
