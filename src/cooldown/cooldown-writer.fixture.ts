// Test fixture: rewrites a cooldown file with large states as fast as it can, until killed.
import path from 'node:path';
import { FileStore } from '../store/file-store.js';
import type { CooldownState } from '../store/records.js';

const file = process.argv[2]!;
const store = new FileStore(path.dirname(file), path.dirname(file));
const state: CooldownState = { version: 1, services: {} };
for (let i = 0; i < 2000; i++) {
  state.services[`service-${i}`] = {
    consecutiveHealthy: i % 3,
    actions: [{ at: new Date().toISOString(), action: 'restart', outcome: 'succeeded', tier: 2 }],
  };
}
process.stdout.write('writing\n');
for (;;) await store.updateCooldown(() => state);
