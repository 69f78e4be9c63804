// HAProxy in front of a Sentinel-managed Redis: the write port must follow the master, nothing else.
import { report, rule } from '../rule.js';
import type { Finding } from '../types.js';
import { find, haproxyMs, parseHaproxy, type Section } from './parse.js';

export const H = {
  noRole: rule(
    'haproxy/write-check-no-role',
    'error',
    'A PING/PONG (or plain TCP) check passes on replicas too, so after a failover the write port keeps sending writes to a demoted node (READONLY errors) or, with several servers, to any of them.',
    'Check the role: `tcp-check send info\\ replication\\r\\n` then `tcp-check expect string role:master`.',
  ),
  singleServer: rule(
    'haproxy/write-backend-single-server',
    'error',
    'The write backend lists only one node; when Sentinel promotes another node, HAProxy has nowhere to send writes.',
    'List every database node in the write backend and let a role:master check pick the live master.',
  ),
  splitWrites: rule(
    'haproxy/write-balance-no-role',
    'error',
    'Several servers are balanced for writes without a role check: writes are spread over master and replicas.',
    'Add a role:master check (and use `balance first`), so exactly one server is up at a time.',
  ),
  literalVar: rule(
    'haproxy/placeholder-unquoted',
    'error',
    'HAProxy expands environment variables only inside double quotes; elsewhere `${VAR}` is sent or resolved literally.',
    'Write "${VAR}" in double quotes, or render the value into the file.',
  ),
  inlineSecret: rule(
    'haproxy/inline-password',
    'error',
    'The AUTH password sits in haproxy.cfg, which is world-readable by default and often committed.',
    'Reference an environment variable in double quotes ("${REDIS_PASSWORD}") set by a root-only systemd drop-in, or use an ACL user for checks.',
  ),
  shortTimeout: rule(
    'haproxy/timeout-kills-idle-clients',
    'warning',
    'Redis clients keep pooled connections idle for minutes; HAProxy closes a connection idle longer than timeout client/server, and clients see random "connection reset" errors.',
    'Set `timeout client` and `timeout server` (or `timeout tunnel`) to at least 30m, and keep `tcp-keepalive` on in Redis.',
  ),
  noShutdown: rule(
    'haproxy/write-keeps-sessions',
    'error',
    'When a server is marked down, HAProxy keeps its established sessions; clients stay connected to the old master and keep writing to it.',
    "Add `on-marked-down shutdown-sessions` to the write backend's servers (or its default-server line).",
  ),
  noStats: rule(
    'haproxy/no-stats-socket',
    'warning',
    'Without a stats socket there is no runtime control: you cannot drain or switch a server at once during a switchover, only wait for health checks.',
    'Add `stats socket /run/haproxy/admin.sock mode 660 level admin` to the global section.',
  ),
  logStdout: rule(
    'haproxy/log-stdout-format',
    'warning',
    '`log stdout` without `format raw` writes syslog headers into the stream, and the output is unreadable in journald or container logs.',
    'Use `log stdout format raw local0`.',
  ),
  noLog: rule(
    'haproxy/frontend-without-log',
    'warning',
    'A frontend logs only with a `log` line of its own or `log global` (in it or in defaults); without one HAProxy drops `option tcplog` and nothing about client connections is recorded.',
    'Add `log global` to the defaults section.',
  ),
  httpMode: rule(
    'haproxy/not-tcp-mode',
    'error',
    'Redis speaks RESP, not HTTP; in http mode HAProxy rejects every Redis request.',
    'Set `mode tcp` in defaults or in the section.',
  ),
  readStale: rule(
    'haproxy/read-check-no-link',
    'info',
    'The read backend keeps a replica whose link to the master is down, serving stale data.',
    'Also expect `master_link_status:up` (or route reads to the master when no replica is healthy).',
  ),
};

const WRITE = /master|primary|write|writer|\brw\b/i;
const READ = /replica|slave|read|\bro\b/i;

export function haproxyRules(file: string, text: string): Finding[] {
  const sections = parseHaproxy(text);
  const defaults = sections.filter((s) => s.type === 'defaults');
  const writes = writeBackends(sections);
  const out = [...placeholders(file, sections), ...logging(file, sections, defaults), ...timeouts(file, sections)];
  for (const s of sections.filter((x) => x.type === 'backend' || x.type === 'listen')) {
    out.push(...secretChecks(file, s), ...modeCheck(file, s, defaults));
    if (writes.has(s.name)) out.push(...writeBackend(file, s));
    else if (READ.test(s.name) && hasChecks(s) && !expects(s, 'master_link_status:up')) {
      out.push(report(H.readStale, file, s.line, `backend ${s.name} does not check master_link_status:up`));
    }
  }
  return out;
}

function placeholders(file: string, sections: Section[]): Finding[] {
  return sections.flatMap((s) =>
    s.lines.flatMap((l) =>
      l.words
        .filter((w, i) => w.literalVar && !isAddress(l, i))
        .map((w) =>
          report(H.literalVar, file, l.line, `${/\$\{[^}]*\}/.exec(w.raw)?.[0] ?? '${...}'} is outside double quotes`),
        ),
    ),
  );
}

function logging(file: string, sections: Section[], defaults: Section[]): Finding[] {
  const out: Finding[] = [];
  const global = sections.find((s) => s.type === 'global');
  if (global && !find(global, 'stats', 'socket').length)
    out.push(report(H.noStats, file, global.line, 'no `stats socket` in global'));
  for (const l of sections.flatMap((s) => find(s, 'log'))) {
    const raw = l.words.some((w, i) => w.text === 'format' && l.words[i + 1]?.text === 'raw');
    if (l.words[1]?.text === 'stdout' && !raw)
      out.push(report(H.logStdout, file, l.line, 'log stdout without format raw'));
  }
  if (global && find(global, 'log').length && !defaults.some(logs)) {
    for (const fe of sections.filter((x) => (x.type === 'frontend' || x.type === 'listen') && !logs(x))) {
      out.push(report(H.noLog, file, fe.line, `${fe.type} ${fe.name} has no log line (no \`log global\` in defaults)`));
    }
  }
  return out;
}

// HAProxy expands environment variables inside addresses itself (server, bind, log ...), quoted or not.
const ADDRESS_AT: Record<string, number> = { server: 2, bind: 1, log: 1, source: 1, nameserver: 2, peer: 2, mailer: 2 };
const isAddress = (l: { keyword: string }, i: number) => ADDRESS_AT[l.keyword] === i;

function writeBackends(sections: Section[]): Set<string> {
  const names = new Set<string>();
  for (const s of sections) {
    if ((s.type === 'backend' || s.type === 'listen') && WRITE.test(s.name)) names.add(s.name);
    if (s.type === 'frontend' && WRITE.test(s.name))
      for (const l of [...find(s, 'default_backend'), ...find(s, 'use_backend')]) names.add(l.words[1]?.text ?? '');
  }
  return names;
}

function writeBackend(file: string, s: Section): Finding[] {
  const out: Finding[] = [];
  const servers = find(s, 'server');
  const roleCheck = expects(s, 'role:master');
  if (!roleCheck)
    out.push(
      report(
        H.noRole,
        file,
        (find(s, 'tcp-check', 'expect')[0] ?? s).line,
        `backend ${s.name} cannot tell a master from a replica`,
      ),
    );
  if (servers.length === 1)
    out.push(
      report(
        H.singleServer,
        file,
        servers[0]!.line,
        `backend ${s.name} has one server (${servers[0]!.words[1]?.text})`,
      ),
    );
  if (servers.length > 1 && !roleCheck) {
    const bal = find(s, 'balance')[0];
    out.push(
      report(
        H.splitWrites,
        file,
        (bal ?? s).line,
        `${servers.length} servers balanced ${bal?.words[1]?.text ?? 'roundrobin'} for writes`,
      ),
    );
  }
  const dflt = find(s, 'default-server').some(shutsDown);
  for (const sv of servers) {
    if (!dflt && !shutsDown(sv))
      out.push(
        report(H.noShutdown, file, sv.line, `server ${sv.words[1]?.text} has no on-marked-down shutdown-sessions`),
      );
  }
  return out;
}

const logs = (s: Section) => find(s, 'log').length > 0 && !find(s, 'no').some((l) => l.words[1]?.text === 'log');
const shutsDown = (l: { words: { text: string }[] }) =>
  l.words.some((w, i) => w.text === 'on-marked-down' && l.words[i + 1]?.text === 'shutdown-sessions');
const hasChecks = (s: Section) => find(s, 'tcp-check').length > 0 || find(s, 'option', 'redis-check').length > 0;
const expects = (s: Section, what: string) =>
  find(s, 'tcp-check', 'expect').some((l) => l.words.some((w) => w.text.includes(what)));

function secretChecks(file: string, s: Section): Finding[] {
  return find(s, 'tcp-check', 'send')
    .filter((l) =>
      /^AUTH\s/i.test(
        l.words
          .slice(2)
          .map((w) => w.text)
          .join(' '),
      ),
    )
    .filter((l) => !l.words.slice(2).some((w) => w.raw.includes('${')))
    .map((l) => report(H.inlineSecret, file, l.line, `backend ${s.name} sends AUTH with an inline password`));
}

function modeCheck(file: string, s: Section, defaults: Section[]): Finding[] {
  const mode = [...defaults.flatMap((d) => find(d, 'mode')), ...find(s, 'mode')].at(-1)?.words[1]?.text ?? 'http';
  return mode !== 'tcp' ? [report(H.httpMode, file, s.line, `${s.type} ${s.name} runs in ${mode} mode`)] : [];
}

const MIN_IDLE_MS = 30 * 60_000;

function timeouts(file: string, sections: Section[]): Finding[] {
  const out: Finding[] = [];
  const tunnelOf = (s: Section) => haproxyMs(find(s, 'timeout', 'tunnel').at(-1)?.words[2]?.text ?? '');
  const defaultTunnel = sections
    .filter((x) => x.type === 'defaults')
    .map(tunnelOf)
    .filter((t) => t !== undefined)
    .at(-1);
  for (const s of sections.filter((x) => ['defaults', 'frontend', 'backend', 'listen'].includes(x.type))) {
    const tunnel = tunnelOf(s) ?? defaultTunnel;
    if (tunnel !== undefined && tunnel >= MIN_IDLE_MS) continue;
    for (const l of [...find(s, 'timeout', 'client'), ...find(s, 'timeout', 'server')]) {
      const ms = haproxyMs(l.words[2]?.text ?? '');
      if (ms !== undefined && ms < MIN_IDLE_MS)
        out.push(
          report(
            H.shortTimeout,
            file,
            l.line,
            `timeout ${l.words[1]?.text} ${l.words[2]?.text} closes idle Redis connections`,
          ),
        );
    }
  }
  return out;
}
