// Issue 13: the huge pages a running redis-server holds (AnonHugePages, summed over its smaps_rollup). THP is the
// lab machine's own global setting (madvise) and cannot be broken there safely, so the evaluation runs on a
// smaps_rollup recorded from a real lab redis-server and on the same file edited to hold huge pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hugePageResults } from '../../../src/checks/kernel.js';
import { parseKernel } from '../../../src/facts/kernel.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const recorded = fixture('smaps_rollup.redis-server.txt');
const withHuge = fixture('smaps_rollup.redis-server-thp.txt');
const KERNEL = 'vm.overcommit_memory=1\nthp.enabled=always madvise [never]\nthp.defrag=always madvise [never]\n';
/** KERNEL_PROBE's output around recorded files: its scan line, then per process its title and the file. */
const probe = (...procs: [number, string, string][]) =>
  KERNEL + 'redis.scan=1\n' + procs.map(([pid, title, smaps]) => `redis.pid=${pid} ${title}\n${smaps}`).join('');

describe('kernel.thp.process: AnonHugePages of the running redis-server', () => {
  it('the recorded lab redis-server: 0 kB, pass, with the exact command as evidence', () => {
    const k = parseKernel(probe([216, '/opt/falkordb/bin/redis-server 10.89.8.11:7379  ', recorded]));
    expect(k.redis).toEqual([
      { pid: 216, title: '/opt/falkordb/bin/redis-server 10.89.8.11:7379', anonHugePagesKb: 0 },
    ]);
    expect(hugePageResults('db1', k)).toEqual([
      expect.objectContaining({
        id: 'kernel.thp.process:db1',
        outcome: 'pass',
        found: '0 kB in pid 216 (/opt/falkordb/bin/redis-server 10.89.8.11:7379)',
        expected: '0 kB',
        evidence: 'cat /proc/216/smaps_rollup',
      }),
    ]);
  });

  it('the same file with huge pages: fail, the value found, expected 0 kB, and what gives them back', () => {
    const [r] = hugePageResults('db1', parseKernel(probe([216, '/opt/falkordb/bin/redis-server *:6379', withHuge])));
    expect(r).toMatchObject({
      outcome: 'fail',
      found: '6144 kB in pid 216 (/opt/falkordb/bin/redis-server *:6379)',
      expected: '0 kB',
      evidence: 'cat /proc/216/smaps_rollup',
    });
    expect(r!.reason).toMatch(/copy-on-write after fork\(\).*restart this node/);
  });

  it('two servers on a host: one result each, by pid; smaps (many AnonHugePages lines) is summed', () => {
    const smaps = 'AnonHugePages:      2048 kB\nAnonHugePages:         0 kB\nAnonHugePages:      4096 kB\n';
    const rs = hugePageResults('db2', parseKernel(probe([10, 'a', recorded], [11, 'b', smaps])));
    expect(rs.map((r) => [r.id, r.outcome, r.found])).toEqual([
      ['kernel.thp.process:db2:10', 'pass', '0 kB in pid 10 (a)'],
      ['kernel.thp.process:db2:11', 'fail', '6144 kB in pid 11 (b)'],
    ]);
  });

  it('none running, or nothing readable: skipped with the reason, never a pass', () => {
    expect(hugePageResults('db3', parseKernel(probe()))).toMatchObject([
      { outcome: 'skip', reason: 'no redis-server is running' },
    ]);
    expect(hugePageResults('db3', parseKernel(probe([7, 'x', ''])))).toMatchObject([
      { outcome: 'skip', reason: 'pid 7 (x): its smaps could not be read' },
    ]);
    expect(hugePageResults('db3', parseKernel(KERNEL))).toMatchObject([{ outcome: 'skip' }]);
  });
});
