// Rules shared by Redis and Sentinel files: syntax, placeholders, typos, duplicates, paths, daemonize.
import path from 'node:path';
import { placeholderIn, report, rule } from '../rule.js';
import type { Finding, Rule } from '../types.js';
import { KNOWN_DIRECTIVES, MULTI_VALUED, SENTINEL_SUBCOMMANDS, closest } from '../conf/directives.js';
import type { ConfUnit } from '../conf/unit.js';

const make = (kind: string) => ({
  syntax: rule(
    `${kind}/syntax`,
    'error',
    'Redis refuses to start on a line it cannot parse.',
    'Balance the quotes, and put a space after a closing quote.',
  ),
  placeholder: rule(
    `${kind}/placeholder`,
    'error',
    'Redis and Sentinel never expand `${VAR}` or `$(command)`: the value is taken literally, so a password becomes the string "${REDIS_PASSWORD}" and a host name fails to resolve.',
    'Render the real value into the file before deploying (falkorctl render does this), or keep secrets in a separate included file with mode 0600.',
  ),
  unknown: rule(
    `${kind}/unknown-directive`,
    'warning',
    'Redis 8 refuses to start on a directive it does not know; a typo also means the intended setting is missing. (Names are checked against Redis 8.2, so a newer option may be reported: hence a warning.)',
    'Correct the name (see redis.conf for Redis 8), or remove the line.',
  ),
  duplicate: rule(
    `${kind}/duplicate-directive`,
    'warning',
    'Only the last occurrence takes effect; the earlier one misleads whoever reads the file.',
    'Keep one occurrence.',
  ),
  relative: rule(
    `${kind}/relative-path`,
    'warning',
    "Relative paths are resolved against the server's working directory, which differs between a shell, systemd and a container.",
    'Use an absolute path.',
  ),
  arity: rule(
    `${kind}/wrong-arity`,
    'error',
    'Redis refuses to start when a directive has the wrong number of arguments ("wrong number of arguments").',
    'Give the directive exactly one value; quote values that contain spaces.',
  ),
  daemonize: rule(
    `${kind}/daemonize-under-systemd`,
    'warning',
    'With `daemonize yes` the process forks away; under systemd (Type=notify/simple) or in a container the supervisor loses it and restarts or kills it.',
    'Use `daemonize no` with `supervised systemd` (or `supervised auto`).',
  ),
});

export const HYGIENE = { redis: make('redis'), sentinel: make('sentinel') };

const ONE_ARG = new Set([
  'requirepass',
  'masterauth',
  'masteruser',
  'maxmemory',
  'maxmemory-policy',
  'port',
  'tls-port',
  'dir',
  'logfile',
  'pidfile',
  'dbfilename',
  'appendonly',
  'appendfsync',
  'daemonize',
  'protected-mode',
  'replica-read-only',
  'loglevel',
  'databases',
]);
const PATHS = ['logfile', 'dir', 'pidfile', 'unixsocket', 'aclfile'];

export function hygieneRules(u: ConfUnit): Finding[] {
  const R = HYGIENE[u.kind];
  const out: Finding[] = u.errors.map((e) => report(R.syntax, u.file, e.line, e.message));
  const seen = new Map<string, number>();
  for (const d of u.directives) {
    const ph = placeholderIn(d.args, u.expandedBy);
    const shown = ph && (/\$\{[^}]*\}|\$\([^)]*\)/.exec(d.raw)?.[0] ?? ph);
    if (shown) out.push(report(R.placeholder, d.file, d.line, `${d.name}: "${shown}" is never expanded`));
    if (ONE_ARG.has(d.name) && d.args.length !== 1)
      out.push(report(R.arity, d.file, d.line, `${d.name} takes one argument, this line has ${d.args.length}`));
    out.push(...unknown(R.unknown, u, d.name, d.args, d.file, d.line));
    const key = dupKey(d.name, d.args);
    if (key) {
      const prev = seen.get(key);
      if (prev !== undefined)
        out.push(report(R.duplicate, d.file, d.line, `${key} repeats line ${prev}; this one wins`));
      seen.set(key, d.line);
    }
    if (PATHS.includes(d.name) && d.args[0] && !path.isAbsolute(d.args[0]) && !placeholderIn([d.args[0]])) {
      out.push(report(R.relative, d.file, d.line, `${d.name} "${d.args[0]}" is relative`));
    }
    if (d.name === 'daemonize' && d.args[0]?.toLowerCase() === 'yes')
      out.push(report(R.daemonize, d.file, d.line, 'daemonize yes'));
  }
  return out;
}

function unknown(r: Rule, u: ConfUnit, name: string, args: string[], file: string, line: number): Finding[] {
  if (name.includes('.')) return []; // a module's own config
  if (!KNOWN_DIRECTIVES.has(name)) {
    const hint = closest(name, KNOWN_DIRECTIVES);
    return [report(r, file, line, `unknown directive "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`)];
  }
  if (name === 'sentinel') {
    const sub = args[0]?.toLowerCase() ?? '';
    if (u.kind === 'redis')
      return [
        report(
          r,
          file,
          line,
          '"sentinel" lines only work in a Sentinel config (redis-sentinel / redis-server --sentinel)',
        ),
      ];
    if (!SENTINEL_SUBCOMMANDS.has(sub)) {
      const hint = closest(sub, SENTINEL_SUBCOMMANDS);
      return [
        report(
          r,
          file,
          line,
          `unknown Sentinel option "sentinel ${sub}"${hint ? ` (did you mean "sentinel ${hint}"?)` : ''}`,
        ),
      ];
    }
  }
  return [];
}

// Sentinel options set once per master, or once globally; repeatable ones (known-replica, ...) are not listed.
const PER_MASTER = new Set([
  'monitor',
  'down-after-milliseconds',
  'failover-timeout',
  'parallel-syncs',
  'notification-script',
  'client-reconfig-script',
  'auth-pass',
  'auth-user',
]);
const GLOBAL = new Set([
  'resolve-hostnames',
  'announce-hostnames',
  'announce-ip',
  'announce-port',
  'deny-scripts-reconfig',
  'myid',
]);

function dupKey(name: string, args: string[]): string | undefined {
  if (name !== 'sentinel') return MULTI_VALUED.has(name) ? undefined : name;
  const sub = args[0]?.toLowerCase() ?? '';
  if (PER_MASTER.has(sub)) return `sentinel ${sub} ${args[1] ?? ''}`;
  return GLOBAL.has(sub) ? `sentinel ${sub}` : undefined;
}
