// Secret values out of everything a person or a script sees. One place, so every command masks alike.
// A long secret is masked wherever it occurs. A short one (under 8 characters) only where it stands as a
// whole token: masking every "y" of a one-letter password turned messages into "onl******** 1 characters"
// and, worse, pointed at where the secret's letters are. Short secrets are warned about when they resolve.

export const MASK = '********';
export const SHORT_SECRET = 8;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every secret value in a text (longest first, so one secret inside another still goes). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...new Set(secrets)].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    if (s.length >= SHORT_SECRET) out = out.split(s).join(MASK);
    else out = out.replace(new RegExp(`(?<![A-Za-z0-9_])${escape(s)}(?![A-Za-z0-9_])`, 'g'), MASK);
  }
  return out;
}

/**
 * A value for --json with every string in it masked (keys too). Walking the value, not the serialized JSON:
 * JSON.stringify escapes quotes and backslashes, so a secret holding one would not match its serialized form.
 */
export function maskValue<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) out[maskSecrets(k, secrets)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
