// Runs the fake Messages API as a process, answering every tier with a healthy
// verdict (one entry per check the prompt lists) after one Bash call, and prints its URL. For checks outside the test runner,
// such as a cycle inside the built image or a first try without an API key. Stops on SIGTERM.
import { FakeApi, toolUse, userText, verdict } from './fake-api.js';

const api = new FakeApi((req) => {
  const msgs = req.body?.messages ?? [];
  const answered = msgs.some((m: { role: string; content: unknown }) => m.role === 'user' && Array.isArray(m.content) && m.content.some((b: { type?: string }) => b.type === 'tool_result'));
  const listed = [...userText(req).matchAll(/id `([^`]+)`/g)].map((m) => m[1]!);
  return answered
    ? verdict({ status: 'healthy', summary: 'A real cycle ran against the fake Messages API.', escalate: false, checks: [...new Set(listed)].map((id) => ({ id, status: 'healthy', detail: 'fake: fine' })) })
    : toolUse(
        'Bash',
        { command: 'id -un && claude --version && (echo x > /tmp/claudeops-escape 2>/dev/null && echo SANDBOX-ESCAPED || echo sandbox-held)', description: 'who, which CLI, and is the sandbox on' },
        'Checking who runs the checks, with which CLI, and that the sandbox holds.',
      );
});
console.log(await api.start());
process.on('SIGTERM', () => void api.stop().then(() => process.exit(0)));
