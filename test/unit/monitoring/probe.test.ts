// The on-host HTTP probe's python3 program, run for real (python3 on this machine, as on the hosts) against a
// local HTTP server: 200 and 503 bodies come back, a refused port and a server that never answers become an
// error within the per-request timeout, and the whole command is bounded by the timeout it is given.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGetOnHost, replyProblem, type HostExec } from '../../../src/monitoring/probe.js';

let server: Server;
let base: string;
const seenTimeouts: number[] = [];

/** Runs the argv here (the host is this machine), like the transport does over SSH. */
const local: HostExec = (_host, argv, timeoutMs) =>
  new Promise((resolve) => {
    seenTimeouts.push(timeoutMs);
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 }),
    );
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/metrics') return res.end('# HELP redis_up up\nredis_up 1\n');
    if (req.url === '/hang') return; // never answers
    res.statusCode = 503;
    res.end('not ready');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('httpGetOnHost (python3 urllib)', () => {
  it('returns each reply in order: body, status, errors', async () => {
    const [ok, bad, refused, hung] = await httpGetOnHost(
      local,
      'here',
      [`${base}/metrics`, `${base}/other`, 'http://127.0.0.1:1/x', `${base}/hang`],
      500,
    );
    expect(ok).toMatchObject({ status: 200, body: expect.stringContaining('redis_up 1') });
    expect(replyProblem(ok!)).toBeUndefined();
    expect(bad).toMatchObject({ status: 503, body: 'not ready' });
    expect(replyProblem(bad!)).toBe('HTTP 503');
    expect(refused!.status).toBe(0);
    expect(replyProblem(refused!)).toMatch(/refused/i);
    expect(hung!.status).toBe(0);
    expect(replyProblem(hung!)).toMatch(/timed out/i);
    // the command's own bound: every request's timeout plus a margin
    expect(seenTimeouts.at(-1)).toBe(4 * 500 + 5_000);
  });

  it('a command that fails (no python3 answer) is an error naming the host', async () => {
    const broken: HostExec = () => Promise.resolve({ stdout: '', stderr: 'sh: python3: not found', code: 127 });
    await expect(httpGetOnHost(broken, 'db9', [`${base}/metrics`])).rejects.toThrow(
      /db9: python3 HTTP probe failed: sh: python3: not found/,
    );
  });
});
