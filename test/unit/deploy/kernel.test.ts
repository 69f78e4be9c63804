// Kernel settings: read live, planned whenever the live kernel differs (so a failed apply is retried), a real
// failure where the kernel is writable, a warning and a note where it is not (a container).
import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/deploy/plan.js';
import { kernelFindings, parseKernel, type KernelFacts } from '../../../src/facts/kernel.js';
import { fixtureInventory } from '../render/fixture.js';
import { desiredFacts, render } from './helpers.js';

const inv = fixtureInventory();
const good: KernelFacts = {
  overcommit: 1,
  somaxconn: 4096,
  swappiness: 1,
  thpEnabled: 'never',
  thpDefrag: 'never',
  sysctlWritable: true,
  thpWritable: true,
};

describe('kernel facts', () => {
  it('parses the probe output, taking the [selected] THP value', () => {
    const k = parseKernel(
      'vm.overcommit_memory=0\nnet.core.somaxconn=128\nvm.swappiness=60\nthp.enabled=always [madvise] never\n' +
        'thp.defrag=always defer defer+madvise [madvise] never\nsysctl.writable=0\nthp.writable=1\n',
    );
    expect(k).toEqual({
      overcommit: 0,
      somaxconn: 128,
      swappiness: 60,
      thpEnabled: 'madvise',
      thpDefrag: 'madvise',
      sysctlWritable: false,
      thpWritable: true,
    });
    expect(kernelFindings(k).map((f) => f.setting)).toEqual([
      'vm.overcommit_memory',
      'net.core.somaxconn',
      'vm.swappiness',
      'transparent_hugepage/enabled',
      'transparent_hugepage/defrag',
    ]);
    expect(kernelFindings(good)).toEqual([]);
    expect(kernelFindings(parseKernel(''))).toEqual([]); // unknown is not a finding
  });
});

describe('deploy plans kernel steps from the live kernel', () => {
  const files = render(inv);
  const withKernel = (k: Partial<KernelFacts>) => {
    const facts = desiredFacts(inv, files);
    for (const h of ['db1', 'db2', 'db3']) facts.get(h)!.kernel = { ...good, ...k };
    return plan({ inv, hosts: inv.hosts, files, facts });
  };

  it('nothing when the live kernel is right', () => {
    expect(withKernel({}).steps).toEqual([]);
  });

  it('the file unchanged but the live value wrong on a writable kernel: the step again, and its failure counts', () => {
    const p = withKernel({ overcommit: 0 });
    const s = p.steps.filter((x) => x.id.endsWith(':sysctl'));
    expect(s.map((x) => x.host)).toEqual(['db1', 'db2', 'db3']);
    for (const x of s) expect(x.action).toMatchObject({ kind: 'exec', tolerate: false });
    expect(p.steps.some((x) => x.id.endsWith(':thp'))).toBe(false);
    const t = withKernel({ thpEnabled: 'always' });
    expect(t.steps.map((x) => x.id)).toEqual(['db1:thp', 'db2:thp', 'db3:thp']);
  });

  it('read-only (a container): no step that cannot work, a note naming the setting and why', () => {
    const p = withKernel({ swappiness: 60, sysctlWritable: false });
    expect(p.steps).toEqual([]);
    expect(p.notes.filter((n) => n.includes('vm.swappiness = 60 (want ≤ 1)'))).toHaveLength(3);
    expect(p.notes[0]).toMatch(/read-only here \(a container\?\)/);
  });
});
