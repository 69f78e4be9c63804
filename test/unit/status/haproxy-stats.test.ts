// `show stat` captured from a real HAProxy 2.6 with the rendered check rules: db1 the master (UP),
// db2 a replica failing the write check (L7 timeout), db3 nothing listening (L4CON), and db2 put in
// maintenance in the read backend with `set server falkordb_read/db2 state maint`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseShowStat, serverUp } from '../../../src/haproxy/stats.js';

const csv = readFileSync(new URL('./fixtures/haproxy-show-stat.csv', import.meta.url), 'utf8');

describe('parseShowStat', () => {
  const backends = parseShowStat(csv);
  const server = (b: string, s: string) => backends.find((x) => x.name === b)?.servers.find((x) => x.server === s);

  it('lists backends (not frontends) with their own status', () => {
    expect(backends.map((b) => [b.name, b.status])).toEqual([
      ['falkordb_write', 'UP'],
      ['falkordb_read', 'UP'],
    ]);
  });
  it('write backend: the master up, a replica failing its L7 check, a dead node refused at L4', () => {
    expect(server('falkordb_write', 'db1')).toMatchObject({
      status: 'UP',
      address: '127.0.9.1:6379',
      checkStatus: 'L7OK',
      backup: false,
    });
    expect(server('falkordb_write', 'db2')).toMatchObject({ status: 'DOWN', checkStatus: '* L7TOUT' });
    expect(server('falkordb_write', 'db3')).toMatchObject({ status: 'DOWN', checkStatus: 'L4CON' });
    expect(server('falkordb_write', 'db3')?.checkDesc).toMatch(/Connection refused/);
  });
  it('read backend: a server in maintenance, and the master as backup', () => {
    expect(server('falkordb_read', 'db2')?.status).toBe('MAINT');
    expect(server('falkordb_read', 'db1')).toMatchObject({ status: 'UP', backup: true });
  });
  it('serverUp: UP and "UP 1/2" take traffic; DOWN, MAINT, DRAIN and "DOWN 1/2" do not', () => {
    const s = (status: string) => serverUp({ backend: 'b', server: 's', status, backup: false, activeSessions: 0 });
    expect(['UP', 'UP 1/2', 'no check'].map(s)).toEqual([true, true, true]);
    expect(['DOWN', 'MAINT', 'DRAIN', 'DOWN 1/2', 'NOLB'].map(s)).toEqual([false, false, false, false, false]);
  });
  it('finds columns by name, so reordered or extra columns do not matter', () => {
    const t = '# svname,pxname,status,type,extra\nBACKEND,be,UP,1,x\ns1,be,MAINT,2,y\n';
    expect(parseShowStat(t)).toEqual([
      { name: 'be', status: 'UP', servers: [expect.objectContaining({ server: 's1', status: 'MAINT' })] },
    ]);
  });
  it('refuses a reply without the header (e.g. "Permission denied.")', () => {
    expect(() => parseShowStat('Permission denied.\n')).toThrow(/not a `show stat` reply/);
  });
});
