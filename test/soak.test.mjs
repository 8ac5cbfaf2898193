import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The soak compares RSS in the second quarter of the run with the last. Deno
// 2.9.6 is still growing its heap 2 s into a run and levels off after about
// 3 s (about 230 MB on a 2-core machine), so it runs longer to measure after
// warm-up.
const seconds = process.versions.deno ? '12' : '6';

test('short soak keeps RSS flat and counts exact', () => {
  const script = fileURLToPath(new URL('../scripts/soak.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script, seconds], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, `${child.stdout}${child.stderr}`);
  assert.match(child.stdout, new RegExp(`^soak ${seconds} s: \\d+ tasks, \\d+ expected errors, counter (\\d+) of \\1$`, 'm'));
});
