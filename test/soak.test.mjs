import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The soak compares memory in the second quarter of the run with the last.
// Deno 2.9.6's native memory rises until about 3 s into a run (72 to 80 MB
// between those quarters of a 6 s run on 2 cores), so Deno runs longer to
// compare after warm-up.
const seconds = process.versions.deno ? '12' : '6';

test('short soak keeps memory flat and counts exact', () => {
  const script = fileURLToPath(new URL('../scripts/soak.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script, seconds], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, `${child.stdout}${child.stderr}`);
  assert.match(child.stdout, new RegExp(`^soak ${seconds} s: \\d+ tasks, \\d+ expected errors, counter (\\d+) of \\1$`, 'm'));
  const [, tasks, errors] = child.stdout.match(/^soak \d+ s: (\d+) tasks, (\d+) expected errors/m).map(Number);
  assert.equal(errors * 3, tasks);
});
