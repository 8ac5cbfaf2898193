import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('short soak keeps RSS flat and counts exact', () => {
  const script = fileURLToPath(new URL('../scripts/soak.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script, '6'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, `${child.stdout}${child.stderr}`);
  assert.match(child.stdout, /^soak 6 s: \d+ tasks, \d+ expected errors, counter (\d+) of \1$/m);
});
