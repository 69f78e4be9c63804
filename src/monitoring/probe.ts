// HTTP GETs made on the host itself: one SSH command runs python3 (on every Debian host; curl is not) with
// urllib and a per-request timeout, and the command itself is bounded by the transport's timeout. No port
// forward: a tunnel whose far end never answers is what once hung a deploy. Each reply comes back as JSON.
import type { Argv } from '../remote/quote.js';
import type { Transport } from '../remote/transport.js';

export interface HttpReply {
  url: string;
  /** 0 when no HTTP answer came (refused, timed out); `error` says why. */
  status: number;
  body: string;
  error?: string;
}

/** Runs argv on a host within timeoutMs; never throws for a non-zero exit. */
export type HostExec = (
  host: string,
  argv: Argv,
  timeoutMs: number,
) => Promise<{ stdout: string; stderr?: string; code: number | null }>;

const SCRIPT = `import json, sys, urllib.error, urllib.request
t = float(sys.argv[1])
out = []
for url in sys.argv[2:]:
    r = {"url": url, "status": 0, "body": ""}
    try:
        with urllib.request.urlopen(url, timeout=t) as resp:
            r["status"] = resp.status
            r["body"] = resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        r["status"] = e.code
        r["body"] = e.read().decode("utf-8", "replace")
    except Exception as e:
        r["error"] = "%s: %s" % (type(e).__name__, e)
    out.append(r)
json.dump(out, sys.stdout)
`;

/** The argv that fetches `urls` on the host, each bounded by `perRequestMs`. */
export function httpGetArgv(urls: readonly string[], perRequestMs: number): Argv {
  return ['python3', '-c', SCRIPT, String(perRequestMs / 1000), ...urls];
}

/** GETs each URL (as seen on `host`: 127.0.0.1 is the host itself) in one bounded SSH command. */
export async function httpGetOnHost(
  exec: HostExec,
  host: string,
  urls: readonly string[],
  perRequestMs = 3_000,
): Promise<HttpReply[]> {
  const r = await exec(host, httpGetArgv(urls, perRequestMs), urls.length * perRequestMs + 5_000);
  if (r.code !== 0) {
    const why = (r.stderr ?? '').trim().split('\n').pop() || `exit ${r.code}`;
    throw new Error(`${host}: python3 HTTP probe failed: ${why}`);
  }
  return JSON.parse(r.stdout) as HttpReply[];
}

/** "HTTP 503" / "connection refused …": what a failed reply reads as in a timeout or a checklist finding. */
export const replyProblem = (r: HttpReply): string | undefined =>
  r.error ? r.error : r.status === 200 ? undefined : `HTTP ${r.status}`;

/** A HostExec over the run's transport: the login user (no sudo), never throwing for a non-zero exit. */
export const hostExec =
  (t: Transport): HostExec =>
  (host, argv, timeoutMs) =>
    t.exec(host, argv, { timeoutMs, check: false, sudo: false });
