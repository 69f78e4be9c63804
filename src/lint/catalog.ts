// Every rule falkorctl lint knows, for documentation and for the test that each one is exercised.
import type { Rule } from './types.js';
import { R as MEMORY } from './redis/memory.js';
import { R as ACCESS } from './redis/access.js';
import { R as REPLICATION } from './redis/replication.js';
import { HYGIENE } from './redis/hygiene.js';
import { S } from './sentinel.js';
import { H } from './haproxy/rules.js';
import { C, K, WR } from './workload-rules.js';
import { P } from './prometheus.js';
import { N } from './nftables.js';
import { X } from './cross.js';

export const ALL_RULES: Rule[] = [
  MEMORY,
  ACCESS,
  REPLICATION,
  HYGIENE.redis,
  HYGIENE.sentinel,
  S,
  H,
  WR.compose,
  WR.kubernetes,
  C,
  K,
  P,
  N,
  X,
].flatMap((group) => Object.values(group));
