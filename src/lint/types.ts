export type Severity = 'error' | 'warning' | 'info';
export type FileKind = 'redis' | 'sentinel' | 'haproxy' | 'compose' | 'kubernetes' | 'prometheus';

export interface Finding {
  file: string;
  line: number;
  rule: string; // stable id, e.g. "redis/eviction-deletes-graphs"
  severity: Severity;
  message: string; // what is wrong
  why?: string; // why it matters
  fix?: string; // what to do
}
