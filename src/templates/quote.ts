// Quoting for the file formats render writes. Each function is the only way a value from the
// inventory or a secret enters that format, so a space or a quote in a value cannot change meaning.
import { isIP } from 'node:net';
import { userError } from '../errors.js';

const REDIS_BARE = /^[A-Za-z0-9._/:@%+=,*~&^!<>-]+$/;

/** One argument of a redis.conf / sentinel.conf directive (Redis splits lines with sdssplitargs). */
export function redisArg(v: string): string {
  if (v !== '' && REDIS_BARE.test(v)) return v;
  let out = '"';
  for (const ch of v) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export const redisLine = (directive: string, ...args: (string | number)[]): string =>
  [directive, ...args.map((a) => (typeof a === 'number' ? String(a) : redisArg(a)))].join(' ');

/**
 * systemd-escape --path: the unit name systemd gives the mount of `path`
 * (/var/lib/falkordb → var-lib-falkordb.mount).
 */
export function mountUnitName(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (trimmed === '') return '-.mount';
  let out = '';
  for (const [i, ch] of [...trimmed].entries()) {
    if (ch === '/') out += '-';
    else if (/[A-Za-z0-9:_]/.test(ch) || (ch === '.' && i > 0)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}.mount`;
}

const SAFE_PATH = /^\/[A-Za-z0-9._/+@-]*$/;

/**
 * Paths that end up in unit files, shell snippets and config lines are restricted to plain characters:
 * systemd, sh and HAProxy each quote differently, and an ordinary install never needs more.
 */
export function safePath(field: string, p: string): string {
  if (!SAFE_PATH.test(p) || p.includes('/../') || p.endsWith('/..')) {
    throw userError(`${field}: "${p}" must be an absolute path of letters, digits and . _ / + @ -`);
  }
  return p;
}

/** A systemd EnvironmentFile value in double quotes (systemd unescapes \" \\ \` \$ there). */
export function envFileValue(v: string): string {
  return `"${v.replace(/([\\"`$])/g, '\\$1')}"`;
}

/** Is `a` a literal IPv4 or IPv6 address (what Redis `bind` accepts)? */
export function isIp(a: string): boolean {
  return isIP(a) !== 0 && !a.includes('%');
}

/** host:port as HAProxy reads a server address (IPv6 needs the ipv6@ prefix to be unambiguous). */
export function haproxyAddr(address: string, port: number): string {
  return address.includes(':') ? `ipv6@${address}:${port}` : `${address}:${port}`;
}
