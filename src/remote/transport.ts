// The transport every executor uses: run argv on a host, upload and read files. One implementation
// on top of a `Runner` (a way to run one shell string on a host: SSH channel or local sh), so
// quoting, sudo, env, timeouts and the file scripts are the same code on every path.
import { createHash } from 'node:crypto';
import { excerptOf, FalkorError, RemoteError } from '../errors.js';
import { buildCommand, displayCommand, TIMEOUT_EXITS } from './command.js';
import { ABSENT, backupStamp, parseStat, readArgv, statArgv, uploadArgv } from './file-scripts.js';
import type { Argv } from './quote.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal?: string | null;
}

export interface ExecOpts {
  timeoutMs?: number;
  /** Run through `sudo -n` (only when the login user is not root). Default: the inventory's ssh.sudo. */
  sudo?: boolean;
  stdin?: string | Buffer;
  /** Default true: a non-zero exit becomes a RemoteError. */
  check?: boolean;
  /** Passed on the step's stdin, never in argv; shown in logs by name only. */
  env?: Record<string, string>;
}

export interface UploadOpts {
  mode: number;
  owner?: string;
  group?: string;
  /** Keep the previous version as <path>.<UTC stamp>.bak. Default true. */
  backup?: boolean;
  /** For big files on slow links; default the host's command timeout. */
  timeoutMs?: number;
}

export interface Transport {
  exec(host: string, argv: Argv, opts?: ExecOpts): Promise<ExecResult>;
  /** No-op (changed:false) when content, mode and owner already match. */
  upload(
    host: string,
    path: string,
    data: Buffer | string,
    opts: UploadOpts,
  ): Promise<{ changed: boolean; backup?: string }>;
  /** undefined when the file does not exist. */
  read(host: string, path: string): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export interface RawResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
  signal: string | null;
}

/** Runs one shell string on a host; must enforce `deadlineMs` itself (kill + reject with TIMEOUT). */
export interface Runner {
  run(host: string, command: string, io: { stdin?: Buffer; deadlineMs: number; display: string }): Promise<RawResult>;
  close(): Promise<void>;
}

export interface HostPolicy {
  /** Is the login user root on this host (then sudo is never used)? */
  isRoot(host: string): boolean;
  sudoDefault(host: string): boolean;
  commandTimeoutMs(host: string): number;
}

export function createShellTransport(
  runner: Runner,
  policy: HostPolicy,
  o: { log?: (line: string) => void; now?: () => Date } = {},
): Transport {
  const now = o.now ?? (() => new Date());

  // `shown` is what logs and errors print: the file operations show a short form, not their script.
  async function execRaw(
    host: string,
    argv: Argv,
    opts: ExecOpts = {},
    shown: readonly string[] = argv,
  ): Promise<RawResult> {
    const sudo = !policy.isRoot(host) && (opts.sudo ?? policy.sudoDefault(host));
    const timeoutMs = opts.timeoutMs ?? policy.commandTimeoutMs(host);
    const built = buildCommand(argv, { sudo, env: opts.env, timeoutMs });
    const display = displayCommand(shown, { sudo, env: opts.env });
    o.log?.(`${host}: $ ${display}`);
    const user = opts.stdin === undefined ? undefined : Buffer.from(opts.stdin);
    const stdin = built.stdinPrefix ? Buffer.concat([built.stdinPrefix, user ?? Buffer.alloc(0)]) : user;
    const started = Date.now();
    // The remote `timeout` acts first; the local deadline only catches a host that stopped answering.
    const res = await runner.run(host, built.command, { stdin, deadlineMs: timeoutMs + 10_000, display });
    const code = res.code;
    if (code !== null && TIMEOUT_EXITS.has(code) && Date.now() - started >= timeoutMs - 50) {
      throw new FalkorError('TIMEOUT', `${host}: \`${display}\` timed out after ${timeoutMs / 1000}s and was killed`);
    }
    if (opts.check !== false && code !== 0) {
      throw failure(host, display, {
        argv: [...(sudo ? ['sudo'] : []), ...shown],
        code,
        signal: res.signal,
        stderr: res.stderr,
      });
    }
    return res;
  }

  return {
    async exec(host, argv, opts) {
      const r = await execRaw(host, argv, opts);
      return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), code: r.code, signal: r.signal };
    },

    async upload(host, path, data, opts) {
      if (!path.startsWith('/') || path.endsWith('/'))
        throw new FalkorError('USER', `upload to ${host}: not an absolute file path: ${path}`);
      if (!Number.isInteger(opts.mode) || opts.mode < 0 || opts.mode > 0o7777)
        throw new FalkorError('USER', `upload to ${host}: bad mode ${opts.mode} for ${path}`);
      const buf = Buffer.from(data);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      const st = parseStat((await execRaw(host, statArgv(path), {}, ['stat', path])).stdout.toString('utf8'));
      const same =
        st !== undefined &&
        st.sha256 === sha256 &&
        st.mode === (opts.mode & 0o7777) &&
        (opts.owner === undefined || st.owner === opts.owner) &&
        (opts.group === undefined || st.group === opts.group);
      if (same) return { changed: false };
      const backupPath = st !== undefined && opts.backup !== false ? `${path}.${backupStamp(now())}.bak` : undefined;
      const r = await execRaw(
        host,
        uploadArgv({ path, sha256, mode: opts.mode, owner: opts.owner, group: opts.group, backupPath }),
        { stdin: buf, timeoutMs: opts.timeoutMs },
        ['upload', path],
      );
      const backup = /^backup (.+)$/m.exec(r.stdout.toString('utf8'))?.[1];
      return backup ? { changed: true, backup } : { changed: true };
    },

    async read(host, path) {
      const r = await execRaw(host, readArgv(path), { check: false }, ['cat', path]);
      if (r.code === ABSENT && r.stderr.length === 0) return undefined;
      if (r.code !== 0) throw failure(host, displayCommand(['cat', path]), { argv: ['cat', path], ...r });
      return r.stdout;
    },

    close: () => runner.close(),
  };
}

/** A RemoteError whose message shows the command quoted exactly as it ran (with sudo, env by name). */
function failure(
  host: string,
  display: string,
  r: { argv: readonly string[]; code: number | null; signal: string | null; stderr: Buffer },
): RemoteError {
  const stderr = r.stderr.toString('utf8');
  const excerpt = excerptOf(stderr);
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  const message = `${host}: \`${display}\` failed (${how})${excerpt ? `\n${excerpt.replace(/^/gm, '    ')}` : ''}`;
  return new RemoteError({ host, argv: r.argv, exitStatus: r.code, signal: r.signal, stderr }, message);
}
