// Runs the fake Messages API as a process and prints its URL: for checks outside the test
// runner, such as a cycle inside the built image or a first try without an API key. Stops
// on SIGTERM. By default every tier answers with one Bash call, then a healthy verdict (one
// entry per check the prompt lists). Settings, from the environment:
// - FAKE_API_HOST, FAKE_API_PORT: where it listens (127.0.0.1 and a free port by default;
//   a compose test runs it in a container of its own);
// - FAKE_API_DELAY_MS: each answer waits this long (a cycle to stop in the middle of);
// - FAKE_API_PLAY=docker: tier 1 looks at Docker, tries a restart through the Docker API and escalates; tier 2
//   restarts the container named by FAKE_API_CONTAINER (web) and reports it fixed.
import { FakeApi, modelOf, slowly, toolUse, userText, verdict, type RecordedRequest, type Reply } from './fake-api.js';

const delay = Number(process.env.FAKE_API_DELAY_MS ?? 0);
const container = process.env.FAKE_API_CONTAINER ?? 'web';

const answered = (req: RecordedRequest): boolean =>
  (req.body?.messages ?? []).some(
    (m: { role: string; content: unknown }) =>
      m.role === 'user' &&
      Array.isArray(m.content) &&
      m.content.some((b: { type?: string }) => b.type === 'tool_result'),
  );
const listed = (req: RecordedRequest): string[] => [
  ...new Set([...userText(req).matchAll(/id `([^`]+)`/g)].map((m) => m[1]!)),
];

function healthy(req: RecordedRequest): Reply {
  return answered(req)
    ? verdict({
        status: 'healthy',
        summary: 'A real cycle ran against the fake Messages API.',
        escalate: false,
        checks: listed(req).map((id) => ({ id, status: 'healthy', detail: 'fake: fine' })),
      })
    : toolUse(
        'Bash',
        {
          command:
            'id -un && claude --version && (echo x > /tmp/claudeops-escape 2>/dev/null && echo SANDBOX-ESCAPED || echo sandbox-held)',
          description: 'who, which CLI, and is the sandbox on',
        },
        'Checking who runs the checks, with which CLI, and that the sandbox holds.',
      );
}

function docker(req: RecordedRequest): Reply {
  const tier2 = modelOf(req).includes('sonnet');
  if (!answered(req)) {
    return tier2
      ? toolUse('Bash', { command: `docker restart ${container}`, description: `restart ${container}` })
      : // The shipped Docker check's own commands, as the file has them; then a restart through the Docker API
        // itself (`docker restart` would be stopped by tier 1's deny rules before the proxy sees it).
        toolUse('Bash', {
          command: `sed -n '/^\`\`\`sh$/,/^\`\`\`$/p' "$CLAUDEOPS_APP_DIR/checks/docker-containers.md" | sed '1d;$d' | sh; curl -s -m 5 -X POST http://docker.claudeops:2375/v1.41/containers/${container}/restart; echo " restart exit $?"`,
          description: 'run the Docker check, and try a restart',
        });
  }
  const checks = listed(req).map((id) => ({
    id,
    status: tier2 ? 'healthy' : 'unhealthy',
    service: container,
    detail: tier2 ? 'restarted' : `${container} needs a restart`,
  }));
  return tier2
    ? verdict({
        status: 'healthy',
        summary: `Restarted ${container}.`,
        escalate: false,
        checks,
        remediations: [
          { service: container, action: 'restart', outcome: 'succeeded', detail: `docker restart ${container}` },
        ],
      })
    : verdict({
        status: 'unhealthy',
        summary: `${container} needs a restart, which tier 1 may not do.`,
        escalate: true,
        checks,
      });
}

const play = process.env.FAKE_API_PLAY === 'docker' ? docker : healthy;
const api = new FakeApi((req) => (delay ? slowly(delay, play(req)) : play(req)));
console.log(await api.start(process.env.FAKE_API_HOST, Number(process.env.FAKE_API_PORT ?? 0)));
process.on('SIGTERM', () => void api.stop().then(() => process.exit(0)));
