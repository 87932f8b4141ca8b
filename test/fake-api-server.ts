// Runs the fake Messages API as a process, answering every tier with a healthy
// verdict after one Bash call, and prints its URL. For checks outside the test runner,
// such as a cycle inside the built image. Stops on SIGTERM.
import { FakeApi, toolUse, verdict } from './fake-api.js';

const api = new FakeApi((req) => {
  const msgs = req.body?.messages ?? [];
  const answered = msgs.some((m: { role: string; content: unknown }) => m.role === 'user' && Array.isArray(m.content) && m.content.some((b: { type?: string }) => b.type === 'tool_result'));
  return answered
    ? verdict({ status: 'healthy', summary: 'Smoke check: the image ran a real cycle.', escalate: false, checks: [{ name: 'smoke', status: 'healthy', service: 'smoke' }] })
    : toolUse('Bash', { command: 'id -un && claude --version', description: 'who and which CLI' }, 'Checking from inside the image.');
});
console.log(await api.start());
process.on('SIGTERM', () => void api.stop().then(() => process.exit(0)));
