// The one progress reporter for long work, per host. At a terminal: one ora spinner whose text is what each
// busy host is doing, and a persistent ✔/✖ line when a host is finished. Without a terminal (CI, a pipe, a
// runbook's log): plain timestamped lines, one per change of activity. With --json: nothing (stdout holds
// exactly one JSON document, and stderr stays quiet for scripts). Always on stderr.
import type { Writable } from 'node:stream';
import type { Ora } from 'ora';
import type { Clock } from '../context.js';
import { realClock } from '../context.js';
import type { ProgressSink } from './execute.js';

export interface Progress extends ProgressSink {
  /** Removes the spinner (call in `finally`: a failure message must not be drawn over). */
  stop(): void;
}

export interface ProgressOptions {
  stream: Writable & { isTTY?: boolean };
  mode: 'spinner' | 'lines' | 'silent';
  clock?: Clock;
  /** Masks secrets in a line before it is shown (a step description never holds one, but stay safe). */
  mask?: (s: string) => string;
}

/** The mode for a command's context: --json → silent; a TTY on stderr → spinner; else lines. */
export const progressMode = (json: boolean, stream: { isTTY?: boolean }): ProgressOptions['mode'] =>
  json ? 'silent' : stream.isTTY ? 'spinner' : 'lines';

export function createProgress(o: ProgressOptions): Progress {
  const mask = o.mask ?? ((s: string) => s);
  const clock = o.clock ?? realClock;
  if (o.mode === 'silent') return { update() {}, finish() {}, stop() {} };
  if (o.mode === 'lines') {
    const last = new Map<string, string>();
    const put = (t: string) => o.stream.write(`${stamp(clock.now())} ${mask(t)}\n`);
    return {
      update(host, line) {
        if (last.get(host) === line) return;
        last.set(host, line);
        put(`${host}: ${line}`);
      },
      finish(host, ok) {
        if (!ok) put(`${host}: stopped`);
      },
      stop() {},
    };
  }
  const busy = new Map<string, string>();
  let spinner: Ora | undefined;
  // ora is loaded only when a spinner is drawn (it is not small, and --help must start fast); until it has
  // loaded, the ✔/✖ lines still appear.
  let make: ((o: { stream: NodeJS.WritableStream; discardStdin: boolean }) => Ora) | undefined;
  let stopped = false;
  const redraw = () => {
    if (!busy.size || stopped) {
      spinner?.stop();
      spinner = undefined;
      return;
    }
    if (!make) return;
    const text = [...busy].map(([h, l]) => `${h}: ${l}`).join('  ·  ');
    spinner ??= make({ stream: o.stream, discardStdin: false }).start();
    spinner.text = mask(text);
  };
  void import('ora').then((m) => {
    make = m.default;
    redraw();
  });
  return {
    update(host, line) {
      busy.set(host, line);
      redraw();
    },
    finish(host, ok) {
      const line = busy.get(host);
      busy.delete(host);
      spinner?.clear();
      o.stream.write(`${ok ? '✔' : '✖'} ${host}${line ? `: ${mask(line)}` : ''}\n`);
      redraw();
    },
    stop() {
      stopped = true;
      busy.clear();
      redraw();
    },
  };
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(11, 19);
