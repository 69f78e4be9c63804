export type Severity = 'error' | 'warning' | 'info';
export type FileKind = 'redis' | 'sentinel' | 'haproxy' | 'compose' | 'kubernetes' | 'prometheus' | 'nftables';

export interface Finding {
  file: string;
  line: number;
  rule: string; // stable id, e.g. "redis/eviction-deletes-graphs"
  severity: Severity;
  message: string; // what is wrong
  why?: string; // why it matters
  fix?: string; // what to do
}

/** What every finding of one rule shares; the message is per finding. */
export interface Rule {
  id: string;
  severity: Severity;
  why: string;
  fix: string;
}

/** Reads a file next to the one being linted; undefined when it does not exist or cannot be read. */
export type Reader = (path: string) => string | undefined;
