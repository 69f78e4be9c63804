// HAProxy's config, split into sections and words the way HAProxy reads it: "#" starts a comment,
// backslash escapes, double quotes expand ${VAR}, single quotes do not.

export interface Word {
  text: string; // unescaped, unquoted
  raw: string; // as written
  /** `${...}` appears outside double quotes: HAProxy passes it on literally. */
  literalVar: boolean;
}

export interface HLine {
  line: number;
  words: Word[];
  keyword: string; // first word, lower-cased
}

export interface Section {
  type: string; // global, defaults, frontend, backend, listen, ...
  name: string;
  line: number;
  lines: HLine[];
}

const SECTIONS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
  'userlist',
  'program',
  'mailers',
  'cache',
  'ring',
  'http-errors',
  'traces',
]);

export function parseHaproxy(text: string): Section[] {
  const sections: Section[] = [];
  let cur: Section | undefined;
  text.split('\n').forEach((src, i) => {
    const words = splitWords(src);
    if (words.length === 0) return;
    const keyword = words[0]!.text.toLowerCase();
    if (SECTIONS.has(keyword) && !/^\s/.test(src)) {
      cur = { type: keyword, name: words[1]?.text ?? '', line: i + 1, lines: [] };
      sections.push(cur);
      return;
    }
    const l: HLine = { line: i + 1, words, keyword };
    if (cur) cur.lines.push(l);
    else sections.push((cur = { type: 'global', name: '', line: i + 1, lines: [l] }));
  });
  return sections;
}

export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /[ \t\r]/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    let text = '';
    let raw = '';
    let literalVar = false;
    let quote: string | undefined;
    while (i < line.length) {
      const c = line[i]!;
      if (!quote && /[ \t\r]/.test(c)) break;
      if (!quote && c === '#') break;
      if (c === '\\' && quote !== "'" && i + 1 < line.length) {
        raw += c + line[i + 1];
        text += line[i + 1];
        i += 2;
        continue;
      }
      if ((c === '"' || c === "'") && (!quote || quote === c)) {
        quote = quote ? undefined : c;
        raw += c;
        i++;
        continue;
      }
      if (c === '$' && line[i + 1] === '{' && quote !== '"') literalVar = true;
      raw += c;
      text += c;
      i++;
    }
    words.push({ text, raw, literalVar });
  }
  return words;
}

/** HAProxy time: a number with us/ms/s/m/h/d (milliseconds when bare). */
export function haproxyMs(v: string): number | undefined {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(v);
  if (!m) return undefined;
  const mult: Record<string, number> = { us: 0.001, ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 };
  return Number(m[1]) * mult[m[2] ?? 'ms']!;
}

export const find = (s: Section, keyword: string, second?: string): HLine[] =>
  s.lines.filter((l) => l.keyword === keyword && (second === undefined || l.words[1]?.text.toLowerCase() === second));
