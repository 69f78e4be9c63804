// status's one command per database host: the parts come back apart; a file the host could not read is unknown.
import { describe, expect, it } from 'vitest';
import { hostProbe, parseHostProbe } from '../../../src/facts/host-probe.js';
import { parseKernel } from '../../../src/facts/kernel.js';
import { loadInventory } from '../../../src/inventory/index.js';
import { quote } from '../../../src/remote/quote.js';

const KERNEL = 'vm.overcommit_memory=1\nnet.core.somaxconn=4096\nvm.swappiness=1\nthp.enabled=always madvise [never]';

describe('hostProbe', () => {
  it('one script: the kernel probe, the backup probe with its directory, the file read only when whole', async () => {
    const { inventory } = await loadInventory('test/fixtures/inventory/valid.yaml', process.cwd());
    const s = hostProbe(inventory);
    expect(s).toContain("echo '@@falkorctl-status@@ kernel'");
    expect(s).toContain(`set -- ${quote(inventory.backup.dir)}\n`);
    expect(s).toMatch(/if \[ -f "\$f" \] && c=\$\(cat -- "\$f"\); then echo '@@falkorctl-status@@ conf'/);
    expect(s.trimEnd().endsWith('exit 0')).toBe(true);
  });

  it('splits the output back into its sections', () => {
    const out = [
      '@@falkorctl-status@@ kernel',
      KERNEL,
      '@@falkorctl-status@@ backup',
      'unit\tId=falkorctl-backup.timer',
      '@@falkorctl-status@@ conf',
      'port 6379',
      'loadmodule /opt/falkordb/lib/falkordb.so THREAD_COUNT 2',
      '',
    ].join('\n');
    const p = parseHostProbe(out);
    expect(parseKernel(p.kernel!)).toMatchObject({
      overcommit: 1,
      somaxconn: 4096,
      swappiness: 1,
      thpEnabled: 'never',
    });
    expect(p.backup).toBe('unit\tId=falkorctl-backup.timer');
    expect(p.conf).toContain('THREAD_COUNT 2');
  });

  it('no conf section (absent or unreadable): the file is unknown, not empty', () => {
    const p = parseHostProbe(`@@falkorctl-status@@ kernel\n${KERNEL}\n@@falkorctl-status@@ backup\n`);
    expect(p.conf).toBeUndefined();
    expect(p.kernel).toBe(KERNEL);
  });
});
