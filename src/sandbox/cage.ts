import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../runner/command.js';

/** Where the run's own directory (sockets, settings, MCP config) appears inside the cage. */
export const CAGE_RUN_DIR = '/run/claudeops';

/** A TCP port inside the cage that leads to a Unix socket of the daemon's. */
export interface Bridge {
  /** A loopback address inside the cage. */
  host: string;
  port: number;
  /** The socket's file name in the run directory. */
  socket: string;
}

/** What one cage shows the processes inside it; everything else does not exist there. */
export interface CageSpec {
  /** The working directory: writable, and HOME lives in it. */
  workDir: string;
  /** Paths the run may change. */
  writable: string[];
  /** Paths it may read (repos, the app's checks, the CLI's install). */
  readable: string[];
  /** Paths never shown, even inside a readable one (the daemon's state, results, .env): empty there. */
  hidden: string[];
  /** Paths read-only even inside a writable one (a repo its manifest says never to modify). */
  readOnly: string[];
  /** The daemon's directory for this run, shown read-only at CAGE_RUN_DIR. */
  runDir: string;
  bridges: Bridge[];
  /**
   * For a CLI with a sandbox of its own (Codex's bubblewrap), nested inside: the cage's
   * root and /tmp stay writable (memory only, gone with the cage), where it creates mount
   * targets, and the CLI keeps uid 0 and its capabilities within the cage's own user
   * namespace, which its bubblewrap needs. Otherwise a daemon running as root runs the
   * cage as `nobody`, with no capability at all.
   */
  nestedSandbox?: boolean;
}

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** Files of /etc that hold secrets of the host; the cage sees them empty. */
const ETC_SECRETS = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/shadow-',
  '/etc/gshadow-',
  '/etc/sudoers',
  '/etc/ssh',
  '/etc/docker',
  '/etc/machine-id',
];

const exists = (p: string) => fs.existsSync(p);

/** `--ro-bind` for a directory, `--symlink` for a merged-usr link: the host's layout as it is. */
function systemMounts(): string[] {
  const args: string[] = [];
  for (const d of SYSTEM_DIRS) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(d);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(d), d);
    else args.push('--ro-bind', d, d);
  }
  args.push('--ro-bind', '/etc', '/etc');
  for (const f of ETC_SECRETS) {
    if (!exists(f)) continue;
    if (fs.statSync(f).isDirectory()) args.push('--tmpfs', f);
    else args.push('--ro-bind', '/dev/null', f);
  }
  return args;
}

/** The directories a binary needs that the system mounts may not cover (node under /opt or a home). */
export function installDirs(...bins: string[]): string[] {
  const out: string[] = [];
  for (const b of bins) {
    let real: string;
    try {
      real = fs.realpathSync(b);
    } catch {
      continue;
    }
    if (real.startsWith('/usr/')) continue;
    // A package's bin → the node_modules it lies in (its platform binary is a sibling package); <prefix>/bin/node → <prefix>.
    const i = real.indexOf('/node_modules/');
    out.push(i >= 0 ? real.slice(0, i + '/node_modules'.length) : path.dirname(path.dirname(real)));
  }
  return out;
}

/** Namespaces of every cage, and of the probe that tells whether one can start. */
export const CAGE_NAMESPACES = ['--unshare-all', '--unshare-user'];

/** Who the cage's processes are: never root with capabilities, unless a nested sandbox needs it. */
function identity(spec: CageSpec): string[] {
  if (spec.nestedSandbox || process.getuid?.() !== 0) return [];
  return ['--uid', '65534', '--gid', '65534', '--cap-drop', 'ALL'];
}

/**
 * bubblewrap's arguments for a cage: a new root holding the system directories
 * read-only, the readable paths read-only, the work dir and writable paths
 * read-write, a private /proc (a PID namespace of its own: no process of the daemon
 * is visible), an empty read-only /tmp (TMPDIR is in the work dir), and no network but
 * loopback, where socat bridges lead to the daemon's proxies. The command is PID 1: when
 * it ends, every process left inside ends with it.
 */
export function cageArgs(spec: CageSpec, reportPid = true): string[] {
  const args = [
    ...CAGE_NAMESPACES,
    ...identity(spec),
    '--die-with-parent',
    '--as-pid-1',
    ...systemMounts(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/run',
  ];
  for (const p of spec.readable) if (exists(p)) args.push('--ro-bind', p, p);
  for (const p of spec.writable) if (exists(p)) args.push('--bind', p, p);
  for (const p of spec.readOnly)
    if (exists(p) && spec.writable.some((w) => p === w || p.startsWith(w + '/'))) args.push('--ro-bind', p, p);
  const shown = [...spec.readable, ...spec.writable];
  for (const h of spec.hidden) {
    if (!exists(h) || !shown.some((p) => h === p || h.startsWith(p.endsWith('/') ? p : p + '/'))) continue;
    if (fs.statSync(h).isDirectory()) args.push('--tmpfs', h, '--remount-ro', h);
    else args.push('--ro-bind', '/dev/null', h);
  }
  args.push(
    '--bind',
    spec.workDir,
    spec.workDir,
    '--ro-bind',
    spec.runDir,
    CAGE_RUN_DIR,
    ...(spec.nestedSandbox ? [] : ['--remount-ro', '/tmp', '--remount-ro', '/']),
    '--chdir',
    spec.workDir,
    ...(reportPid ? ['--info-fd', '3'] : []),
  );
  return args;
}

/** Tries per bridge, 1 ms apart: about 2 s for a socat to listen. */
const BRIDGE_TRIES = 2000;

/**
 * The script that starts the bridges, waits until each listens, then becomes the command.
 * The wait forks nothing, since a fork per try cost more than the bridges: bash's own
 * connect (`/dev/tcp`), and between tries a 1 ms `read -t` on a pipe from the first socat's
 * stdout, which it never writes. The pipe's end (socat gone) ends the wait.
 */
export function bridgeScript(bridges: Bridge[]): string {
  if (bridges.length === 0) return 'exec "$@"';
  const socat = (b: Bridge) =>
    `socat TCP-LISTEN:${b.port},bind=${b.host},fork,reuseaddr UNIX-CONNECT:${CAGE_RUN_DIR}/${b.socket}`;
  const [first, ...rest] = bridges;
  const ports = bridges.map((b) => `${b.host}/${b.port}`).join(' ');
  return [
    ...rest.map((b) => `${socat(b)} &`),
    `exec {quiet}< <(exec ${socat(first!)} </dev/null)`,
    `for p in ${ports}; do for ((i = 0; i < ${BRIDGE_TRIES}; i++)); do`,
    '  : 2>/dev/null </dev/tcp/$p && break',
    '  read -r -t 0.001 -u $quiet _; (($? > 128)) || break 2',
    'done; done',
    'exec {quiet}<&-',
    'exec "$@"',
  ].join('\n');
}

/**
 * The command, run inside a cage. With `reportPid`, bwrap reports the command's PID on fd 3,
 * and the runner signals the command itself (bwrap forwards no signal).
 */
export function caged(cmd: Command, spec: CageSpec, reportPid = true): Command {
  // The binary's real path: a link (node_modules/.bin/claude) may point outside what the cage shows.
  const file = path.isAbsolute(cmd.file) && exists(cmd.file) ? fs.realpathSync(cmd.file) : cmd.file;
  return {
    ...cmd,
    file: 'bwrap',
    args: [
      ...cageArgs(spec, reportPid),
      '--',
      'bash',
      '-c',
      bridgeScript(spec.bridges),
      'claudeops-cage',
      file,
      ...cmd.args,
    ],
    env: { ...cmd.env, HOME: path.join(spec.workDir, 'home') },
    ...(reportPid ? { pidFd: 3 } : {}),
  };
}
