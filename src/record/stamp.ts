import fs from 'node:fs';
import path from 'node:path';

/** `run-YYYYMMDD-HHMMSS` in UTC; a suffix keeps two cycles in one second apart. */
export function cycleStamp(resultsDir: string, now = new Date()): string {
  const base = `run-${now.toISOString().slice(0, 19).replace(/-/g, '').replace('T', '-').replace(/:/g, '')}`;
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!fs.existsSync(path.join(resultsDir, `${id}-tier1.log`)) && !fs.existsSync(path.join(resultsDir, `${id}.json`)) && !taken.has(id)) {
      taken.add(id);
      if (taken.size > 100) taken.delete(taken.values().next().value!);
      return id;
    }
  }
}

const taken = new Set<string>();
