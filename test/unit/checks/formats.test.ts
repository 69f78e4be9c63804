import { describe, expect, it } from 'vitest';
import { junit, markdown, xml } from '../../../src/checks/formats.js';
import type { CheckResult } from '../../../src/checks/types.js';

const at = new Date('2026-12-07T03:00:00Z');
const rs: CheckResult[] = [
  {
    id: 'storage.xfs:db1',
    title: 'db1: data on XFS',
    item: 'Storage configured and mounted',
    phase: 'pre',
    host: 'db1',
    outcome: 'pass',
    found: 'xfs at /var/lib/falkordb',
  },
  {
    id: 'storage.fstab:db1:/d',
    title: 'db1: /d in fstab <by UUID>',
    item: 'Storage configured and mounted',
    phase: 'pre',
    host: 'db1',
    outcome: 'fail',
    found: 'line 3: /dev/sdb /d xfs nofail | x',
    reason: 'nofail & more',
  },
  {
    id: 'manual.go-live-approval',
    title: 'Go-live approval',
    item: 'Go-live approval',
    phase: 'deploy',
    outcome: 'skip',
    reason: 'pending until --sign-off NAME',
  },
  { id: 'cluster.lag', title: 'lag', item: 'Configure replication', phase: 'post', outcome: 'warn', found: '3 s' },
];

describe('checklist report files', () => {
  it('escapes XML and drops characters XML cannot carry', () => {
    expect(xml(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('writes JUnit with one suite per list and failure/skipped/system-out children', () => {
    const x = junit('prod', rs, at);
    expect(x).toMatch(/<testsuites name="falkorctl checklist prod" tests="4" failures="1" errors="0" skipped="1">/);
    expect(x.match(/<testsuite /g)).toHaveLength(3);
    expect(x).toContain('name="db1: /d in fstab &lt;by UUID&gt; [storage.fstab:db1:/d]"');
    expect(x).toMatch(/<failure message="[^"]*nofail &amp; more[^"]*" type="fail">/);
    expect(x).toContain('<skipped message="pending until --sign-off NAME"/>');
    expect(x).toContain('<system-out>WARN: found 3 s</system-out>');
    expect(x).toContain('timestamp="2026-12-07T03:00:00"');
    expect(x).toContain(
      '<testcase classname="Storage configured and mounted" name="db1: data on XFS [storage.xfs:db1]" time="0"/>',
    );
  });

  it('writes Markdown tables whose cells no pipe can break', () => {
    const m = markdown('prod', rs, at);
    expect(m).toContain('Checked 2026-12-07T03:00:00.000Z by falkorctl: 1 passed, 1 warnings, 1 failed, 1 skipped.');
    expect(m).toContain('## Pre-Deployment Checklist');
    expect(m).toContain('## Deployment Steps');
    expect(m).toContain('## Post-Deployment Checklist');
    const row = m.split('\n').find((l) => l.includes('fstab'))!;
    expect(row).toContain('line 3: /dev/sdb /d xfs nofail \\| x');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(8);
  });
});
