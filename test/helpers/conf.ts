// Just enough of the redis.conf / haproxy.cfg syntax to find where a rendered file says a server
// listens and logs, so the harness probes exactly what the file configures.
import { readFileSync } from 'node:fs';
import type { Bind } from './process.js';

/** Every occurrence of a redis.conf directive, as argument lists (quotes removed). Case-insensitive. */
export function redisDirective(text: string, name: string): string[][] {
  const out: string[][] = [];
  for (const raw of text.split('\n')) {
    const words = splitRedisLine(raw);
    if (words.length && words[0]!.toLowerCase() === name.toLowerCase()) out.push(words.slice(1));
  }
  return out;
}

/** The last value of a single-valued directive (redis keeps the last one), or undefined. */
export function redisSetting(text: string, name: string): string | undefined {
  const all = redisDirective(text, name);
  return all.length ? all[all.length - 1]!.join(' ') : undefined;
}

/** Splits like redis' sdssplitargs: whitespace-separated, "double" (with \ escapes) or 'single' quoted. */
export function splitRedisLine(line: string): string[] {
  const s = line.trim();
  if (!s || s.startsWith('#')) return [];
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  }
  return words;
}

/** host:port pairs of `bind` lines in an haproxy.cfg (unix sockets and `stats socket` excluded). */
export function haproxyBinds(text: string): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const raw of text.split('\n')) {
    const m = /^\s*bind\s+(\S+)/.exec(raw);
    if (!m) continue;
    for (const ep of m[1]!.split(',')) {
      const hp = /^(.*):(\d+)$/.exec(ep);
      if (!hp) continue;
      const host = hp[1] === '' || hp[1] === '*' || hp[1] === '0.0.0.0' ? '127.0.0.1' : hp[1]!.replace(/^ipv4@/, '');
      out.push({ host, port: Number(hp[2]) });
    }
  }
  return out;
}

/** Where a path seen inside a bind-mounted namespace lives on the machine. */
export function outsidePath(p: string, binds: readonly Bind[] = []): string {
  for (const b of binds) {
    if (p === b.target || p.startsWith(`${b.target}/`)) return b.source + p.slice(b.target.length);
  }
  return p;
}

export const readText = (p: string): string => readFileSync(p, 'utf8');
