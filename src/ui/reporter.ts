// Human output goes to stdout (results) and stderr (progress, warnings); --json prints exactly one
// JSON document on stdout so scripts can pipe it.
import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';

export interface Reporter {
  readonly json: boolean;
  readonly color: ChalkInstance;
  /** A line of the human result (suppressed under --json). */
  line(text?: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  verbose(text: string): void;
  /** The command's result: `data` under --json, `human()` otherwise. */
  result(data: unknown, human?: () => string): void;
}

export function createReporter(o: {
  stdout: Writable;
  stderr: Writable;
  json: boolean;
  verbose: boolean;
  color: boolean;
}): Reporter {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const w = (s: Writable, t: string) => s.write(t.endsWith('\n') ? t : `${t}\n`);
  return {
    json: o.json,
    color: c,
    line: (t = '') => {
      if (!o.json) w(o.stdout, t);
    },
    info: (t) => {
      if (!o.json) w(o.stderr, t);
    },
    warn: (t) => w(o.stderr, c.yellow(`warning: ${t}`)),
    error: (t) => w(o.stderr, c.red(`error: ${t}`)),
    verbose: (t) => {
      if (o.verbose) w(o.stderr, c.dim(t));
    },
    result: (data, human) => {
      if (o.json) w(o.stdout, JSON.stringify(data, null, 2));
      else if (human) {
        const text = human();
        if (text) w(o.stdout, text);
      }
    },
  };
}
