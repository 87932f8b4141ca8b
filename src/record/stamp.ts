import fs from 'node:fs';
import path from 'node:path';

/** `run-YYYYMMDD-HHMMSS` in UTC; a suffix keeps two cycles in one second apart. */
export function cycleStamp(resultsDir: string, now = new Date()): string {
  const base = `run-${now.toISOString().slice(0, 19).replace(/-/g, '').replace('T', '-').replace(/:/g, '')}`;
  for (let n = last.base === base ? last.n + 1 : 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (fs.existsSync(path.join(resultsDir, `${id}-tier1.log`)) || fs.existsSync(path.join(resultsDir, `${id}.json`))) continue;
    last = { base, n };
    return id;
  }
}

let last = { base: '', n: 0 };

/** Orders run file names by time, with `-2`, `-3` after the first cycle of the same second. */
export function compareStamps(a: string, b: string): number {
  const key = (name: string) => {
    const m = /^run-(\d{8}-\d{6})(?:-(\d+))?/.exec(name);
    return m ? `${m[1]}-${(m[2] ?? '1').padStart(6, '0')}` : name;
  };
  const [ka, kb] = [key(a), key(b)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
