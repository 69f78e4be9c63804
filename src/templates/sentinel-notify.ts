// Sentinel's notification script (the seed's one piped every event into an inline mailer): each warning-level
// event to syslog, then, when the inventory names a webhook, POSTed there as JSON with a bounded deadline.
// Why the exit codes: Sentinel (sentinel.c sentinelCollectTerminatedScripts) re-runs a script that exits 1 or
// dies of a signal, up to 10 times starting 30 s later and doubling, and SIGKILLs one that runs past 60 s; any
// other non-zero exit it logs as -script-error and drops. A re-run would log a stale event again minutes
// later, so the script never exits 1: 0 when done, 2 when the webhook failed (Sentinel's log says so, and so
// does syslog), and the whole webhook attempt is bounded far below 60 s.
// Python because every host has python3 (deploy's own checks need it): urllib and syslog are standard.
import { userError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { header, lines, paths } from './common.js';

export const notifyScriptPath = (inv: Inventory) => `${paths(inv).configDir}/sentinel-notify`;
/** The webhook URL may carry a token: a 0600 file of the service user's, never in sentinel.conf. */
export const webhookUrlPath = (inv: Inventory) => `${paths(inv).configDir}/sentinel-webhook.url`;
/** The syslog tag (journalctl -t falkordb-sentinel-notify). */
export const NOTIFY_TAG = 'falkordb-sentinel-notify';
/** Per socket operation (connect, send, each read) and for the whole POST: both far below Sentinel's 60 s. */
export const WEBHOOK_TIMEOUT_S = 5;
export const WEBHOOK_DEADLINE_S = 15;

/** A Python string literal (JSON's escapes are Python's for these ASCII paths and names). */
const py = (s: string | undefined) => (s === undefined ? 'None' : JSON.stringify(s));

export function sentinelNotifyScript(inv: Inventory): string {
  return lines(
    '#!/usr/bin/python3',
    header(inv, `Sentinel notification script (sentinel notification-script ${inv.sentinel.masterName} ...)`),
    '# Sentinel runs it as: sentinel-notify <event type> <event description>, for every warning-level event.',
    '# Exit 0: done. Exit 2: the webhook failed (Sentinel logs -script-error and does not retry). Never 1:',
    '# Sentinel would re-run it 30 s to hours later and the event would be logged again, out of order.',
    'import json, signal, socket, sys, syslog, time, urllib.error, urllib.request',
    '',
    `CLUSTER = ${py(inv.cluster)}`,
    `MASTER_NAME = ${py(inv.sentinel.masterName)}`,
    `URL_FILE = ${py(inv.sentinel.webhook === undefined ? undefined : webhookUrlPath(inv))}`,
    `TAG = ${py(NOTIFY_TAG)}`,
    `TIMEOUT_S = ${WEBHOOK_TIMEOUT_S}`,
    `DEADLINE_S = ${WEBHOOK_DEADLINE_S}`,
    '',
    '',
    'class Deadline(Exception):',
    '    pass',
    '',
    '',
    'def on_alarm(signum, frame):',
    '    raise Deadline()',
    '',
    '',
    'def payload(event, description):',
    '    doc = {"cluster": CLUSTER, "host": socket.gethostname(), "event": event,',
    '           "description": description, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}',
    '    words = description.split()',
    '    # +switch-master: <master name> <old ip> <old port> <new ip> <new port>',
    '    if event == "+switch-master" and len(words) == 5:',
    '        doc.update(master=words[0], previous=f"{words[1]}:{words[2]}", current=f"{words[3]}:{words[4]}")',
    '    # instance events: <type> <name> <ip> <port> [@ <master name> <master ip> <master port>]',
    '    elif len(words) >= 4:',
    '        doc.update(instance={"type": words[0], "name": words[1], "address": f"{words[2]}:{words[3]}"})',
    '        doc["master"] = words[5] if len(words) >= 8 and words[4] == "@" else words[1]',
    '    else:',
    '        doc["master"] = MASTER_NAME',
    '    return doc',
    '',
    '',
    'def why(e):',
    '    # never the URL itself: it may carry a token',
    '    if isinstance(e, Deadline):',
    '        return f"no answer within {DEADLINE_S} s"',
    '    if isinstance(e, urllib.error.HTTPError):',
    '        return f"HTTP {e.code}"',
    '    if isinstance(e, urllib.error.URLError):',
    '        return str(e.reason)',
    '    if isinstance(e, OSError) and e.strerror:',
    '        return e.strerror',
    '    return type(e).__name__',
    '',
    '',
    'def post(event, description):',
    '    try:',
    '        with open(URL_FILE, encoding="utf-8") as f:',
    '            url = f.read().strip()',
    '    except OSError as e:',
    '        syslog.syslog(syslog.LOG_ERR, f"{event}: webhook not sent: {URL_FILE}: {why(e)}")',
    '        return 2',
    '    body = json.dumps(payload(event, description)).encode()',
    '    req = urllib.request.Request(url, data=body, method="POST", headers={',
    '        "Content-Type": "application/json", "User-Agent": "falkorctl-sentinel-notify"})',
    '    signal.signal(signal.SIGALRM, on_alarm)',
    '    signal.alarm(DEADLINE_S)  # urllib bounds each socket operation, not the whole exchange',
    '    try:',
    '        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:',
    '            r.read(65536)',
    '    except Exception as e:  # Deadline included',
    '        syslog.syslog(syslog.LOG_ERR, f"{event}: webhook not delivered: {why(e)}")',
    '        return 2',
    '    finally:',
    '        signal.alarm(0)',
    '    return 0',
    '',
    '',
    'def main(argv):',
    '    event = argv[1] if len(argv) > 1 else "(no event)"',
    '    description = " ".join(argv[2:])',
    '    syslog.openlog(TAG, syslog.LOG_PID, syslog.LOG_DAEMON)',
    '    syslog.syslog(syslog.LOG_WARNING, f"{event} {description}")',
    '    return 0 if URL_FILE is None else post(event, description)',
    '',
    '',
    'if __name__ == "__main__":',
    '    sys.exit(main(sys.argv))',
  );
}

/** The resolved URL, checked; errors never echo it (it may carry a token). */
export function webhookUrl(url: string | undefined): string {
  if (url === undefined || url === '') throw userError('sentinel.webhook resolved to nothing');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw userError('sentinel.webhook is not a URL', 'give an http:// or https:// URL (its value is not shown)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw userError(`sentinel.webhook is a ${u.protocol} URL`, 'give an http:// or https:// URL');
  return url;
}

export function webhookUrlFile(url: string): string {
  return `${url}\n`;
}
