// The daemon's cycle in a process of its own, driven by bench.ts over IPC, so its
// time and memory are measured as they are in production. Its stdout (the daemon
// log and the run stories) goes wherever the driver points it: /dev/null.
import { loadConfig } from '../src/config/config.js';
import { FIRST_CYCLE } from '../src/cycle/context.js';
import { runCycle } from '../src/cycle/cycle.js';
import { createContext } from '../src/daemon/daemon.js';

const { config } = loadConfig(process.env, process.cwd());
const ctx = createContext(config, new AbortController().signal);
let carried = FIRST_CYCLE;

type Command = { cmd: 'cycle'; env?: Record<string, string> } | { cmd: 'rss' } | { cmd: 'exit' };

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

process.on('message', async (m: Command) => {
  if (m.cmd === 'exit') process.exit(0);
  if (m.cmd === 'rss') {
    gc();
    gc();
    const m = process.memoryUsage();
    process.send!({ rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external });
    return;
  }
  Object.assign(process.env, m.env ?? {});
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const { record: cycle, carried: next } = await runCycle(ctx, 'schedule', carried);
  carried = next;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.send!({ status: cycle.status, before, peak });
});
process.send!({ ready: true });
