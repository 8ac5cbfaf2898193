// Starts two threads' timed loops at the same moment. Each thread increments
// signal[0] when ready and waits on signal[1]; this sets signal[1] once both
// are ready, so neither thread's start-up is counted in the other's time.
export async function startTogether(signal, startThread) {
  const threads = [startThread(), startThread()];
  while (Atomics.load(signal, 0) < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 1);
  return Promise.all(threads);
}
