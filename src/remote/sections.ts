// Several read-only probes in one remote command, so a host is asked in one SSH round trip: each probe's
// output follows a marker line of its own (`<mark> <name>`), and the output is split back at the markers.
// A marker is a line no probe prints (an @@-word of its own per caller).

/** `echo` of the line that starts section `name`. */
export const sectionMark = (mark: string, name: string): string => `echo '${mark} ${name}'`;

/** Splits the output at the markers: section name → text. */
export function splitSections(out: string, mark: string): Map<string, string> {
  const m = new Map<string, string>();
  let cur: string | undefined;
  let buf: string[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith(`${mark} `)) {
      if (cur !== undefined) m.set(cur, buf.join('\n'));
      cur = line.slice(mark.length + 1);
      buf = [];
    } else buf.push(line);
  }
  if (cur !== undefined) m.set(cur, buf.join('\n'));
  return m;
}
