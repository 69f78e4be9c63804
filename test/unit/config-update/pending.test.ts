// Pending restarts as status reports them: the file's restart-only values against the live ones, through the
// same classifier and comparison config update uses.
import { describe, expect, it } from 'vitest';
import { normalize } from '../../../src/config-update/classify.js';
import { desiredOf } from '../../../src/config-update/desired.js';
import { withRedisSets } from '../../../src/config-update/overrides.js';
import { pendingRestarts, pendingText, restartOnlyNames } from '../../../src/config-update/pending.js';
import { falkordbConf } from '../../../src/templates/falkordb-conf.js';
import { smallInventory } from '../render/fixture.js';

const MODULE = '/opt/falkordb/lib/falkordb.so';
const inv = smallInventory();
const rendered = falkordbConf(
  inv,
  inv.hosts.find((h) => h.role === 'replica')!,
);
/** What a node started from `text` answers: CONFIG GET as Redis writes values, GRAPH.CONFIG GET with defaults. */
function liveFrom(text: string) {
  const d = desiredOf(text, MODULE);
  const redis: Record<string, string> = { unixsocket: '' }; // CONFIG GET answers "" when none is set
  for (const [k, v] of d.redis) redis[k] = normalize('redis', v.join(' '));
  const module: Record<string, string> = { THREAD_COUNT: '2', TIMEOUT_DEFAULT: '0' };
  for (const [k, v] of d.module) module[k] = normalize('module', v);
  return { redis, module };
}
const withModule = (text: string, params: string) =>
  text.replace(new RegExp(`^loadmodule ${MODULE}.*$`, 'm'), (l) => `${l} ${params}`);

describe('pending restarts', () => {
  it('none when the node runs what its file says', () => {
    expect(rendered).toContain(`loadmodule ${MODULE}`);
    expect(pendingRestarts(rendered, MODULE, liveFrom(rendered))).toEqual([]);
  });

  it('a restart-only value in the file the node does not run: redis directive and module parameter', () => {
    const file = withModule(
      withRedisSets(rendered, { redis: [['unixsocket', ['/run/x/redis.sock']]], module: [], sentinel: [] }),
      'THREAD_COUNT 3',
    );
    const p = pendingRestarts(file, MODULE, liveFrom(withModule(rendered, 'THREAD_COUNT 2')));
    expect(p).toEqual([
      { kind: 'redis', name: 'unixsocket', live: '', file: '/run/x/redis.sock' },
      { kind: 'module', name: 'THREAD_COUNT', live: '2', file: '3' },
    ]);
    expect(p.map(pendingText)).toEqual([
      'unixsocket (live "", file /run/x/redis.sock)',
      'THREAD_COUNT (live 2, file 3)',
    ]);
  });

  it('runtime settings that differ are not pending restarts (CONFIG SET takes them); sizes compare as bytes', () => {
    const file = withModule(
      withRedisSets(rendered, { redis: [['maxmemory', ['300mb']]], module: [], sentinel: [] }),
      'TIMEOUT_DEFAULT 5000 THREAD_COUNT 2',
    );
    const live = liveFrom(withModule(rendered, 'THREAD_COUNT 2'));
    expect(live.module.TIMEOUT_DEFAULT).toBe('0');
    expect(pendingRestarts(file, MODULE, live)).toEqual([]);
  });

  it('asks only for the restart-only names the file has; a name the node does not report is left out', () => {
    const file = withModule(rendered, 'THREAD_COUNT 3 TIMEOUT_DEFAULT 5');
    const names = restartOnlyNames(file, MODULE);
    expect(names.module).toEqual(['THREAD_COUNT']);
    expect(names.redis).not.toContain('maxmemory');
    expect(names.redis.every((n) => !['save', 'appendonly', 'port'].includes(n))).toBe(true);
    expect(pendingRestarts(file, MODULE, { redis: {}, module: {} })).toEqual([]);
  });
});
