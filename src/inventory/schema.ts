// The inventory contract. Every other module reads the *resolved* Inventory type below;
// field defaults live here so that render, lint, deploy and checklist agree on them.
import { z } from 'zod';
import { aclRuleError } from './acl-rules.js';
import { monitoring } from './monitoring.js';
import {
  address,
  byteSize,
  checked,
  cidr,
  echo,
  hostPath,
  int,
  int32,
  int53,
  MAX_HOSTS,
  ipAddress,
  matching,
  millis,
  mountProblem,
  dotSegments,
  port,
  RESERVED_KEYS,
  text,
  unixUser,
} from './fields.js';

export { byteSize } from './fields.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)');

/** A secret is only ever a reference: env:NAME, file:/path or prompt. Never a literal. */
export const secretRef = matching(
  4096,
  /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|prompt)$/,
  'must be a secret reference: env:NAME, file:/path or prompt',
);

/** A share: at least 1 %, so it renders as a plain decimal (5e-324 would be written as is). */
export const ratio = z.number().min(0.01).lte(1);

/** One option per list item: a comma would smuggle a second option past the checks. */
const mountOption = matching(
  256,
  /^[a-z0-9_=.:/-]+$/i,
  'must be one mount option word (letters, digits, _ = . : / -; no commas or spaces)',
);

/** A device path never reaches a shell unquoted, but it is also never allowed to look like shell. */
export const devicePath = checked(4096, {
  re: /^\/dev(\/[A-Za-z0-9._:+@=-]+)+$/,
  message: 'must be a /dev path of letters, digits and . _ : + @ = - (no spaces, quotes, ;, $ or newlines)',
  test: dotSegments,
});

/** Where a filesystem is mounted: an absolute host path, never over or inside a system directory. */
export const mountPath = checked(4096, { test: mountProblem });

/** mkfs.xfs -L: at most 12 characters. */
const xfsLabel = matching(12, /^[A-Za-z0-9._-]{1,12}$/, 'must be an XFS label: 1-12 of letters, digits, . _ -');

/** lvcreate -L (a fixed size, not 0) or -l (1-100 % of the free space or of the group). */
const lvSize = checked(24, {
  re: /^(\d{1,12}(\.\d{1,6})?[KMGTP]?|\d{1,3}%(FREE|VG))$/i,
  message: 'must be an lvcreate size (500G) or extent share (100%FREE)',
  test: (s) => {
    const pct = /^(\d+)%/.exec(s);
    if (pct) return Number(pct[1]) >= 1 && Number(pct[1]) <= 100 ? undefined : `${s}: a share is 1-100 %`;
    return Number(/^[\d.]+/.exec(s)?.[0]) > 0 ? undefined : `${s}: a volume size must be more than 0`;
  },
});

export const logicalVolume = z
  .object({
    name,
    size: lvSize,
    mount: mountPath,
    filesystem: z.literal('xfs').default('xfs'),
    label: xfsLabel.optional(),
    options: z.array(mountOption).default(['noatime']),
  })
  .strict();

/** LVM: whole disks → one volume group → logical volumes, each with an XFS filesystem. */
export const lvmStorage = z
  .object({
    devices: z
      .array(devicePath)
      .min(1)
      .max(64)
      .describe('Whole disks given to LVM (their data is destroyed on first provisioning)'),
    volumeGroup: name.default('falkordb-vg'),
    volumes: z.array(logicalVolume).min(1).max(64),
  })
  .strict();

/** No LVM: one disk or partition carrying one XFS filesystem. */
export const plainStorage = z
  .object({
    device: devicePath.describe('A disk or partition for one XFS filesystem (e.g. /dev/disk/by-id/...)'),
    mount: mountPath,
    filesystem: z.literal('xfs').default('xfs'),
    label: xfsLabel.optional(),
    options: z.array(mountOption).default(['noatime']),
  })
  .strict();

export const storage = z
  .union([lvmStorage, plainStorage])
  .describe('LVM (devices, volumeGroup, volumes) or a plain device (device, mount, options, label)');

export const hardware = z
  .object({
    memory: byteSize
      .describe('RAM, e.g. 64gb; required on database hosts when redis.maxmemory is a share of RAM')
      .optional(),
    cpus: int(1, 65_536).optional(),
  })
  .strict();

export const ROLES = ['master', 'replica', 'sentinel', 'haproxy', 'monitoring'] as const;
export type Role = (typeof ROLES)[number];

export const host = z
  .object({
    name,
    address: address().describe(
      'IP address or DNS name that falkorctl (SSH) and the cluster nodes use for this host; no port',
    ),
    /** master | replica: runs FalkorDB. sentinel: a Sentinel-only host. haproxy: a load balancer. */
    role: z
      .enum(ROLES)
      .describe(
        'master | replica: runs FalkorDB (+ a Sentinel by default); sentinel: Sentinel only; haproxy: load balancer; monitoring: Prometheus + Alertmanager',
      ),
    ssh: z
      .object({
        user: unixUser().optional(),
        port: port().optional(),
      })
      .strict()
      .optional(),
    hardware: hardware.optional(),
    storage: storage.optional(),
    /** Sentinel's replica-priority for this node (0 = never promote). */
    replicaPriority: int(0, 255).describe("Sentinel's replica-priority: lower is promoted first, 0 = never").optional(),
  })
  .strict();

export const sshDefaults = z
  .object({
    user: unixUser().default('root'),
    port: port().default(22),
    /** Paths on the operator's machine: ~ allowed, control characters not. */
    identityFile: text(4096).optional(),
    knownHosts: text(4096).default('~/.ssh/known_hosts'),
    jumpHost: z
      .object({ host: address(), port: port().default(22), user: unixUser().optional() })
      .strict()
      .optional(),
    sudo: z.boolean().default(false),
    connectTimeoutMs: millis().default(10_000),
    commandTimeoutMs: millis().default(120_000),
  })
  .strict();

const sha256 = matching(64, /^[a-f0-9]{64}$/, 'must be a sha256 hex digest (64 lowercase hex digits)');

export const falkordb = z
  .object({
    /** Where the module and server live on the hosts. */
    modulePath: hostPath().default('/opt/falkordb/lib/falkordb.so'),
    redisServer: hostPath().default('/opt/falkordb/bin/redis-server'),
    /** Optional: where deploy copies the binaries from (on the operator's machine), checked by sha256. */
    binaries: z
      .object({
        redisServer: z
          .object({ source: text(4096), sha256: sha256 })
          .strict()
          .optional(),
        module: z
          .object({ source: text(4096), sha256: sha256 })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** FalkorDB module arguments, passed on the loadmodule line. */
    params: z
      .object({
        // Ranges FalkorDB's config parser (src/configuration/config.c) accepts, capped where they would not
        // render digit for digit (values are long long there; JavaScript prints 1e21 and above as 1e+21).
        THREAD_COUNT: int(1, 4096).optional(),
        CACHE_SIZE: int(0, 1_000_000).optional(),
        TIMEOUT_DEFAULT: int53(0).optional(),
        TIMEOUT_MAX: int53(0).optional(),
        QUERY_MEM_CAPACITY: int53(0).optional(),
        OMP_THREAD_COUNT: int(1, 4096).optional(),
        MAX_QUEUED_QUERIES: int53(1).optional(),
        RESULTSET_SIZE: int(-1, Number.MAX_SAFE_INTEGER).optional(),
        NODE_CREATION_BUFFER: int(128, 1 << 30).optional(),
        EFFECTS_THRESHOLD: int53(0).optional(),
        CMD_INFO: z.enum(['yes', 'no']).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export const PERSISTENCE = ['hybrid', 'aof', 'rdb', 'none'] as const;

export const redis = z
  .object({
    port: port().default(6379),
    /** Extra bind addresses besides the host's own address and 127.0.0.1 (Redis binds IP addresses only). */
    bind: z.array(ipAddress()).max(16).default([]),
    /** Bytes/size string, or a ratio (0,1] of the host's RAM (needs hardware.memory). */
    maxmemory: z
      .union([byteSize, ratio])
      .default(0.75)
      .describe('Bytes/size (8gb) or a share (0,0.8] of hardware.memory'),
    maxmemoryPolicy: z
      .enum([
        'noeviction',
        'allkeys-lru',
        'allkeys-lfu',
        'allkeys-random',
        'volatile-lru',
        'volatile-lfu',
        'volatile-random',
        'volatile-ttl',
      ])
      .default('noeviction')
      .describe('Keep noeviction: any other policy evicts whole graph keys'),
    persistence: z
      .enum(PERSISTENCE)
      .default('hybrid')
      .describe('hybrid = AOF with RDB preamble; none loses every graph on restart'),
    appendfsync: z.enum(['always', 'everysec', 'no']).default('everysec'),
    save: z
      .array(z.tuple([int32(1), int32(1)]))
      .max(16)
      .default([
        [3600, 1],
        [300, 100],
        [60, 10000],
      ]),
    dataDir: hostPath().default('/var/lib/falkordb/data'),
    logDir: hostPath().default('/var/log/falkordb'),
    configDir: hostPath().default('/etc/falkordb'),
    maxclients: int(1, 10_000_000).default(10000),
    timeout: int32(0).default(0),
    tcpKeepalive: int32(0).default(300),
    replBacklogSize: byteSize.default('256mb'),
    replTimeout: int32(1).default(60),
    minReplicasToWrite: int32(0).default(0),
    minReplicasMaxLag: int32(1).default(10),
    /** Commands renamed away (empty) or disabled; Sentinel needs CONFIG, so never rename it. */
    disabledCommands: z
      .array(text(64)) // the shape of a command name is a semantic check, reported beside the repeats
      .max(256)
      .default(['FLUSHALL', 'FLUSHDB', 'DEBUG'])
      .describe('Commands renamed away; never CONFIG, REPLICAOF, INFO, PING, CLIENT ... (Sentinel needs them)'),
    /** Service user on the hosts. */
    user: unixUser().default('falkordb'),
  })
  .strict();

export const sentinel = z
  .object({
    masterName: matching(64, /^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"').default(
      'falkordb-master',
    ),
    port: port().default(26379),
    quorum: int(1, 1000).default(2).describe('Sentinels that must agree the master is down: a majority of them'),
    downAfterMs: millis().default(30_000),
    failoverTimeoutMs: millis().default(180_000),
    parallelSyncs: int(1, 1000).default(1),
    /** Host names that run a Sentinel. Default: every master, replica and sentinel host. */
    hosts: z.array(name).describe('Host names that run a Sentinel (default: every non-haproxy host)').optional(),
    dataDir: hostPath().default('/var/lib/falkordb/sentinel'),
    /** Optional: Sentinel events are POSTed as JSON to this URL (it may carry a token, so it is a reference). */
    webhook: secretRef
      .describe('Reference to a webhook URL for Sentinel events (env:NAME, file:PATH or prompt); syslog always')
      .optional(),
  })
  .strict();

export const haproxy = z
  .object({
    /** Host names that run HAProxy. Default: every host with role haproxy. */
    hosts: z.array(name).optional(),
    writePort: port().default(6380),
    readPort: port().default(6381),
    /** Include the master in the read pool as a backup when no replica is up. */
    readFallbackToMaster: z.boolean().default(true),
    checkIntervalMs: millis().default(1000),
    statsSocket: hostPath().default('/run/haproxy/admin.sock'),
    maxconn: int(1, 10_000_000).default(4096),
    timeoutClientMs: millis().default(3_600_000),
    timeoutServerMs: millis().default(3_600_000),
    timeoutConnectMs: millis().default(3_000),
  })
  .strict();

export const tls = z
  .object({
    enabled: z.boolean().default(false),
    port: port().default(6379),
    certFile: text(4096),
    keyFile: text(4096),
    caFile: text(4096),
    /**
     * The operator's copy, as `tls issue --out DIR` wrote it (DIR/ca.crt, DIR/HOST/tls.crt, DIR/HOST/tls.key),
     * relative to the inventory: deploy installs each host's files at certFile/keyFile/caFile, and falkorctl's
     * own clients verify the hosts against DIR/ca.crt.
     */
    source: text(4096).optional(),
    /** Keep a plaintext port open too (migration); off means `port 0`. */
    allowPlaintext: z.boolean().default(false),
    replication: z.boolean().default(true),
  })
  .strict();

export const aclUser = z
  .object({
    name: checked(64, {
      re: /^[A-Za-z0-9_.-]+$/,
      message: 'must be letters, digits, ".", "_" or "-"',
      test: (s) => (RESERVED_KEYS.has(s) ? `${echo(s)} is a reserved name` : undefined),
    }),
    password: secretRef,
    /** ACL rules, e.g. "~* &* +@all -@dangerous", checked against ACL SETUSER's grammar. */
    rules: checked(8192, { test: aclRuleError }).default('~* &* +@all -@dangerous'),
  })
  .strict();

/** A user the cluster itself needs (replication, Sentinel, HAProxy's check, the exporter): only its secret. */
const systemUser = z.object({ password: secretRef }).strict();

/**
 * ACL mode: users.acl (aclfile) with `user default off`, falkorctl's own admin user (password auth.password),
 * the inventory's users and one restricted user per system client (src/inventory/acl.ts names their rules).
 */
export const acl = z
  .object({
    replication: systemUser.describe('masteruser/masterauth: PSYNC, REPLCONF, PING'),
    sentinel: systemUser.describe("Sentinel's auth-user/auth-pass on every node"),
    healthcheck: systemUser.describe("HAProxy's tcp-check: AUTH, INFO, PING only"),
    exporter: systemUser.describe('redis_exporter: INFO, CONFIG GET, CLIENT LIST, SLOWLOG, LATENCY, PING'),
  })
  .strict();

export const auth = z
  .object({
    /** The password every node requires and uses for replication (one value, since any node can become master). */
    password: secretRef.describe('Reference to the cluster password: env:NAME, file:PATH (mode 600) or prompt'),
    /** Optional: a password for the Sentinels themselves. */
    sentinelPassword: secretRef.optional(),
    /** Optional ACL users besides `default`. */
    users: z.array(aclUser).max(1000).default([]),
    /** Optional: render the users as an ACL file with `user default off` and the cluster's own users. */
    acl: acl.optional(),
  })
  .strict();

/** `falkorctl backup`: where copies live on the database hosts, and what `backup prune` keeps. */
export const backup = z
  .object({
    /** On every database host (the backup volume); created root:<redis.user> 0750, copies 0640. */
    dir: hostPath().default('/var/backups/falkordb'),
    /** Newest verified backup per hour / day / ISO week kept by `backup prune` (as Redis's persistence guidance). */
    retention: z
      .object({
        hourly: int(0, 10_000).default(24),
        daily: int(0, 10_000).default(7),
        weekly: int(0, 10_000).default(4),
      })
      .strict()
      .default({}),
    /** Deadline for the BGSAVE and for loading a copy in the throwaway server (both scale with the data set). */
    timeoutMs: millis().default(1_800_000),
    /**
     * When the timer (`falkorctl backup schedule`) takes a backup: a systemd OnCalendar expression ("hourly",
     * "*-*-* 02:30:00", "Mon..Fri *-*-* 00/4:00:00 UTC"), checked by systemd-analyze calendar on each host;
     * "off" = no timer (schedule removes an installed one).
     */
    schedule: matching(
      200,
      /^[A-Za-z0-9*:,./~ _+-]+$/,
      'must be a systemd OnCalendar expression (letters, digits, space and * : , . / ~ _ + -), or "off"',
    ).default('hourly'),
    /** The checklist and status call the newest verified backup stale beyond this age (match it to the schedule). */
    maxAgeMs: millis().default(7_200_000),
  })
  .strict();

/** The firewall (falkorctl firewall apply): who may reach the cluster's ports, and where SSH comes from. */
export const network = z
  .object({
    /** Declaring `network` turns the firewall on; `enabled: false` keeps the section without rendering it. */
    enabled: z.boolean().default(true),
    /** Where SSH comes from: this machine, a bastion, a jump host (as the hosts see it). */
    operator: z
      .array(cidr())
      .min(1)
      .max(256)
      .describe('Addresses or networks SSH comes from (this machine, the bastion or jump host, as the hosts see it)'),
    /** Clients and anything else that talks to Redis, Sentinel, HAProxy or the exporter; the hosts are added. */
    trusted: z
      .array(cidr())
      .max(1024)
      .default([])
      .describe("Clients' networks (and other hosts that talk to the cluster); the cluster's own hosts are always in"),
  })
  .strict();

export const inventorySchema = z
  .object({
    cluster: name.describe('Cluster name (a DNS label); used in unit, file and Sentinel names'),
    ssh: sshDefaults.default({}),
    hosts: z.array(host).min(1).max(MAX_HOSTS),
    falkordb: falkordb.default({}),
    redis: redis.default({}),
    sentinel: sentinel.default({}),
    haproxy: haproxy.default({}),
    auth,
    tls: tls.optional(),
    monitoring: monitoring.default({}),
    backup: backup.default({}),
    network: network.optional(),
  })
  .strict();

export type InventoryInput = z.input<typeof inventorySchema>;
export type Inventory = z.output<typeof inventorySchema>;
export type Host = z.output<typeof host>;
export type Network = z.output<typeof network>;
export type Storage = z.output<typeof storage>;
export type LogicalVolume = z.output<typeof logicalVolume>;
export type LvmStorage = z.output<typeof lvmStorage>;
export type PlainStorage = z.output<typeof plainStorage>;

export const isPlainStorage = (s: Storage): s is PlainStorage => 'device' in s;

/** Every filesystem a host's storage declares, whichever layout: what render and the checks need. */
export interface StorageMount {
  /** The LV name, or undefined for a plain device. */
  name?: string;
  mount: string;
  options: string[];
  label?: string;
}

export function storageMounts(s: Storage | undefined): StorageMount[] {
  if (!s) return [];
  if (isPlainStorage(s)) return [{ mount: s.mount, options: s.options, ...(s.label ? { label: s.label } : {}) }];
  return s.volumes.map((v) => ({
    name: v.name,
    mount: v.mount,
    options: v.options,
    ...(v.label ? { label: v.label } : {}),
  }));
}
