// Private network namespaces: a fresh, empty network (only `lo`, brought up) for servers whose config
// must run exactly as rendered, e.g. binding 127.0.0.1:6379, which several "hosts" on one machine
// cannot all do. Nothing inside can reach the machine's network, and vice versa; probes run inside.
import { runOnce } from './run.js';
import { startProcess, type Managed } from './process.js';

export interface Netns {
  /** Pass as `netns` to startProcess / startRedis / runOnce. */
  path: string;
  holder: Managed;
}

/** A new network namespace, alive while its holder process (tracked, cleaned up) runs. */
export async function startNetns(name = 'netns'): Promise<Netns> {
  const holder = await startProcess({
    name: `${name} holder`,
    argv: ['unshare', '--net', 'sh', '-c', 'ip link set lo up && exec sleep 86400'],
    ready: async (p) => {
      const r = await runOnce({ argv: ['ip', '-o', 'link', 'show', 'lo'], netns: `/proc/${p.pid}/ns/net` });
      return r.ok && /[<,]UP[,>]/.test(r.output);
    },
  });
  return { path: `/proc/${holder.pid}/ns/net`, holder };
}

// Runs inside the namespace: connect, optionally AUTH (password from the environment, never argv),
// PING, print each reply line as JSON.
const PING = `
const [host, port] = process.argv.slice(1);
const pw = process.env.PROBE_PASSWORD;
const s = require('node:net').connect({ host, port: Number(port) });
let buf = '';
const want = pw ? 2 : 1;
const done = (out) => { console.log(JSON.stringify(out)); s.destroy(); };
s.setTimeout(1500, () => done({ error: 'timeout' }));
const cmd = (...a) => '*' + a.length + '\\r\\n' + a.map((x) => '$' + Buffer.byteLength(x) + '\\r\\n' + x + '\\r\\n').join('');
s.on('connect', () => s.write((pw ? cmd('AUTH', pw) : '') + cmd('PING')));
s.on('data', (b) => { buf += b; const lines = buf.split('\\r\\n').filter(Boolean); if (lines.length >= want) done({ lines }); });
s.on('error', (e) => done({ error: e.code || e.message }));
`;

/** The reply lines to [AUTH,] PING from inside the namespace, or throws with the connection error. */
export async function pingIn(netns: string, host: string, port: number, password?: string): Promise<string[]> {
  const r = await runOnce({
    argv: [process.execPath, '-e', PING, host, String(port)],
    netns,
    env: password === undefined ? {} : { PROBE_PASSWORD: password },
    timeoutMs: 5_000,
  });
  const out = JSON.parse(r.output.trim().split('\n').pop() || '{}') as { lines?: string[]; error?: string };
  if (!out.lines) throw new Error(`${host}:${port} in ${netns}: ${out.error ?? r.output}`);
  return out.lines;
}
