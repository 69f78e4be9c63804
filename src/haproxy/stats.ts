// HAProxy's `show stat` CSV → the backends and their servers. Columns are found by the header line's
// names (HAProxy appends columns between versions), never by position.

export interface ServerStat {
  backend: string;
  server: string;
  /** UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/2" (going down), "DOWN 1/2" (coming up), no check … */
  status: string;
  /** The address HAProxy checks ("10.0.0.1:6379"), when reported. */
  address?: string;
  /** Last check: e.g. "L7OK", "L4CON", "L7TOUT" (a leading "* " means a check is running). */
  checkStatus?: string;
  checkDesc?: string;
  /** Seconds since the last status change. */
  lastChange?: number;
  backup: boolean;
  activeSessions: number;
}

export interface BackendStat {
  name: string;
  status: string;
  servers: ServerStat[];
}

/** A minimal CSV line splitter: HAProxy quotes no fields, but check descriptions may hold commas in quotes. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseShowStat(csv: string): BackendStat[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines.find((l) => l.startsWith('# '));
  if (!head) throw new Error('not a `show stat` reply: no "# pxname,svname,…" header line');
  const cols = splitCsv(head.slice(2));
  const at = (row: string[], name: string) => {
    const i = cols.indexOf(name);
    return i < 0 ? undefined : row[i];
  };
  const backends = new Map<string, BackendStat>();
  for (const l of lines) {
    if (l.startsWith('#')) continue;
    const row = splitCsv(l);
    const px = at(row, 'pxname') ?? '';
    const sv = at(row, 'svname') ?? '';
    const type = at(row, 'type'); // 0 frontend, 1 backend, 2 server, 3 listener
    if (type === '0' || type === '3' || sv === 'FRONTEND') continue;
    let b = backends.get(px);
    if (!b) backends.set(px, (b = { name: px, status: 'UNKNOWN', servers: [] }));
    if (type === '1' || sv === 'BACKEND') {
      b.status = at(row, 'status') ?? 'UNKNOWN';
      continue;
    }
    const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
    b.servers.push({
      backend: px,
      server: sv,
      status: at(row, 'status') ?? 'UNKNOWN',
      address: at(row, 'addr') || undefined,
      checkStatus: at(row, 'check_status') || undefined,
      checkDesc: at(row, 'last_chk') || at(row, 'check_desc') || undefined,
      lastChange: num(at(row, 'lastchg')),
      backup: at(row, 'bck') === '1',
      activeSessions: num(at(row, 'scur')) ?? 0,
    });
  }
  return [...backends.values()];
}

/** A server takes traffic only when UP (also "UP 1/2": still up, one failed check); anything else is out. */
export const serverUp = (s: ServerStat): boolean => /^UP\b/.test(s.status) || s.status === 'no check';
