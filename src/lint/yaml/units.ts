// Sizes and images as compose and Kubernetes write them.

/** Kubernetes quantities: Gi = 1024³, G = 10⁹. */
export function k8sBytes(v: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([EPTGMK]i?|[kmEPTGM])?$/.exec(v?.trim() ?? '');
  if (!m) return undefined;
  const pow: Record<string, number> = { K: 1, k: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };
  const u = m[2] ?? '';
  if (u === 'm') return Number(m[1]) / 1000;
  const base = u.endsWith('i') ? 1024 : 1000;
  return Number(m[1]) * base ** (pow[u[0] ?? ''] ?? 0);
}

/** Docker/compose sizes: b, k, m, g (binary, case-insensitive, optional trailing b). */
export function dockerBytes(v: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(v?.trim() ?? '');
  if (!m) return undefined;
  const pow: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 };
  return Number(m[1]) * 1024 ** pow[m[2]!.toLowerCase()]!;
}

export const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(b % 1024 ** 3 === 0 ? 0 : 1)} GiB`;

/** "image", "image:latest", or a tag-less name all float. Digests are pinned. */
export function floatingTag(image: string): boolean {
  if (image.includes('@sha256:')) return false;
  const name = image.split('/').at(-1) ?? image;
  const tag = name.includes(':') ? name.split(':')[1] : undefined;
  return tag === undefined || tag === 'latest';
}

export const isDatabaseImage = (image: string): boolean => /falkordb|redis(?!_exporter|-exporter|insight)/i.test(image);

/** `redis-cli -a PASS`, `--pass PASS`, `-u redis://:PASS@`: a password visible to every `ps`. */
export function passwordInArgv(argv: string[]): boolean {
  return argv.some(
    (a, i) =>
      ((a === '-a' || a === '--pass' || a === '--requirepass' || a === '--masterauth') && argv[i + 1] !== undefined) ||
      /redis:\/\/[^@/\s]*:[^@/\s]+@/.test(a),
  );
}
