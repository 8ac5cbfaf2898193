// Typed usage checked with tsc --noEmit: each assignment states the type the
// declarations must produce.
import { Global, Mutex, MutexGuard, Permit, Semaphore, configure, move, notify, spawn, wait, waitAsync, type WaitResult } from 'experimental-threads';

async function main(): Promise<void> {
  const base = 41;
  const n: number = await eval(spawn(() => base + 1));
  const s: string = await eval(spawn(async () => `value ${base}`));
  const list: number[] = await eval(spawn(() => [1, 2, 3]), );
  // @ts-expect-error the closure returns a number, not a string
  const wrong: string = await eval(spawn(() => 1));

  configure({ size: 2, idleTimeout: 1000, maxQueue: 100 });
  const controller = new AbortController();
  await eval(spawn(() => null, { signal: controller.signal, timeout: 1000 }));

  const buffer = move(new ArrayBuffer(8));
  const bytes: ArrayBuffer = buffer;

  const counter = new Global(new Mutex(new Int32Array(new SharedArrayBuffer(4))));
  const guard: MutexGuard<Int32Array> = await counter.value.lock({ timeout: 100 });
  guard.value[0]++;
  guard.unlock();
  const maybe: MutexGuard<Int32Array> | null = counter.value.tryLock();
  maybe?.[Symbol.dispose]();

  const semaphore = new Semaphore(3);
  const permit: Permit = semaphore.acquireSync(2);
  permit.release();
  const id: string = counter.id;
  const shared: boolean = Global.sharedArrayBuffer;

  const cells = new Int32Array(new SharedArrayBuffer(4));
  const result: WaitResult = wait(cells, 0, 1, { timeout: 10 });
  const later: WaitResult = await waitAsync(cells, 0, 0, { timeout: 10 });
  const woken: number = notify(cells, 0);
  void [n, s, list, wrong, bytes, id, shared, result, later, woken];
}

void main;
