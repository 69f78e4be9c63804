// Redis/Sentinel config lines split the way Redis itself does (sdssplitargs): whitespace separates
// arguments, "double quotes" take C escapes, 'single quotes' only \', and a directive name is case-insensitive.

export interface Directive {
  name: string; // lower-cased
  args: string[];
  line: number; // 1-based, in `file`
  file: string;
  raw: string; // the trimmed source line
}

export interface Parsed {
  directives: Directive[];
  comments: string[];
  errors: { line: number; message: string }[];
}

/** `lineOf(i)` maps the i-th (0-based) line of `text` to a line of the reported file (embedded configs). */
export function parseConf(text: string, file: string, lineOf: (i: number) => number = (i) => i + 1): Parsed {
  const out: Parsed = { directives: [], comments: [], errors: [] };
  text.split('\n').forEach((rawLine, i) => {
    const raw = rawLine.trim();
    if (!raw) return;
    if (raw.startsWith('#')) {
      out.comments.push(raw);
      return;
    }
    const args = splitArgs(raw);
    if (!args) {
      // The line itself is not quoted back: it may hold a password.
      out.errors.push({ line: lineOf(i), message: `unbalanced quotes in a "${raw.split(/\s/)[0]}" line` });
      return;
    }
    const [name, ...rest] = args;
    if (name !== undefined) out.directives.push({ name: name.toLowerCase(), args: rest, line: lineOf(i), file, raw });
  });
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/** Returns undefined on unbalanced quotes (Redis refuses to start on such a line). */
export function splitArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let cur = '';
    const q = line[i];
    if (q === '"' || q === "'") {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (q === '"' && c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (c === '\\' && i + 1 < line.length && (q === '"' || line[i + 1] === "'")) {
          const n = line[i + 1]!;
          cur += q === '"' ? (ESCAPES[n] ?? n) : n;
          i += 2;
        } else if (c === q) {
          i++;
          closed = true;
          break;
        } else {
          cur += c;
          i++;
        }
      }
      // Redis also requires a space (or the end) right after the closing quote.
      if (!closed || (i < line.length && !/\s/.test(line[i]!))) return undefined;
    } else {
      while (i < line.length && !/\s/.test(line[i]!)) cur += line[i++];
    }
    args.push(cur);
  }
  return args;
}

const UNIT: Record<string, number> = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/** Redis memtoll: "48gb" → 48 GiB, "48g" → 48×10⁹; undefined when Redis would reject the value. */
export function redisBytes(v: string): { bytes: number; unit: string } | undefined {
  const m = /^(\d+)([a-z]*)$/i.exec(v.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const mult = UNIT[unit];
  return mult === undefined ? undefined : { bytes: Number(m[1]) * mult, unit };
}
