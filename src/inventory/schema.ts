// The inventory contract. Every other module reads the *resolved* Inventory type below;
// field defaults live here so that render, lint, deploy and checklist agree on them.
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)');

/** A secret is only ever a reference: env:NAME, file:/path or prompt. Never a literal. */
export const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|prompt)$/, 'must be a secret reference: env:NAME, file:/path or prompt');

/** "48gb", "512mb", "1073741824", 1073741824 → bytes; a number in (0,1] is a ratio of host RAM. */
export const byteSize = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(
      /^\s*\d+(\.\d+)?\s*(b|k|kb|m|mb|g|gb|t|tb|ki|kib|mi|mib|gi|gib|ti|tib)?\s*$/i,
      'must be a size like 512mb or 48gb',
    ),
]);

export const ratio = z.number().gt(0).lte(1);

/** One option per list item: a comma would smuggle a second option past the checks. */
const mountOption = z
  .string()
  .regex(/^[a-z0-9_=.:/-]+$/i, 'must be one mount option word (letters, digits, _ = . : / -; no commas or spaces)');

/** A device path never reaches a shell unquoted, but it is also never allowed to look like shell. */
export const devicePath = z
  .string()
  .regex(
    /^\/dev(\/[A-Za-z0-9._:+@=-]+)+$/,
    'must be a /dev path of letters, digits and . _ : + @ = - (no spaces, quotes, ;, $ or newlines)',
  );

/** An absolute path, same character set as devicePath. */
export const mountPath = z
  .string()
  .regex(
    /^(\/[A-Za-z0-9._+@-]+)*\/?$/,
    'must be an absolute path of letters, digits and . _ + @ - (no spaces, quotes, ;, $ or newlines)',
  );

/** mkfs.xfs -L: at most 12 characters. */
const xfsLabel = z.string().regex(/^[A-Za-z0-9._-]{1,12}$/, 'must be an XFS label: 1-12 of letters, digits, . _ -');

export const logicalVolume = z
  .object({
    name,
    size: z
      .string()
      .regex(
        /^(\d+(\.\d+)?[KMGTP]?|\d{1,3}%(FREE|VG))$/i,
        'must be an lvcreate size (500G) or extent share (100%FREE)',
      ),
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
      .describe('Whole disks given to LVM (their data is destroyed on first provisioning)'),
    volumeGroup: name.default('falkordb-vg'),
    volumes: z.array(logicalVolume).min(1),
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
    cpus: z.number().int().positive().optional(),
  })
  .strict();

export const ROLES = ['master', 'replica', 'sentinel', 'haproxy'] as const;
export type Role = (typeof ROLES)[number];

export const host = z
  .object({
    name,
    address: z
      .string()
      .min(1)
      .describe('IP address or DNS name that falkorctl (SSH) and the cluster nodes use for this host; no port'),
    /** master | replica: runs FalkorDB. sentinel: a Sentinel-only host. haproxy: a load balancer. */
    role: z
      .enum(ROLES)
      .describe(
        'master | replica: runs FalkorDB (+ a Sentinel by default); sentinel: Sentinel only; haproxy: load balancer',
      ),
    ssh: z
      .object({
        user: z.string().optional(),
        port: z.number().int().min(1).max(65535).optional(),
      })
      .strict()
      .optional(),
    hardware: hardware.optional(),
    storage: storage.optional(),
    /** Sentinel's replica-priority for this node (0 = never promote). */
    replicaPriority: z
      .number()
      .int()
      .min(0)
      .max(255)
      .describe("Sentinel's replica-priority: lower is promoted first, 0 = never")
      .optional(),
  })
  .strict();

export const sshDefaults = z
  .object({
    user: z.string().default('root'),
    port: z.number().int().min(1).max(65535).default(22),
    identityFile: z.string().optional(),
    knownHosts: z.string().default('~/.ssh/known_hosts'),
    jumpHost: z
      .object({ host: z.string(), port: z.number().int().default(22), user: z.string().optional() })
      .strict()
      .optional(),
    sudo: z.boolean().default(false),
    connectTimeoutMs: z.number().int().positive().default(10_000),
    commandTimeoutMs: z.number().int().positive().default(120_000),
  })
  .strict();

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 hex digest (64 lowercase hex digits)');

export const falkordb = z
  .object({
    /** Where the module and server live on the hosts. */
    modulePath: z.string().default('/opt/falkordb/lib/falkordb.so'),
    redisServer: z.string().default('/opt/falkordb/bin/redis-server'),
    /** Optional: where deploy copies the binaries from (on the operator's machine), checked by sha256. */
    binaries: z
      .object({
        redisServer: z.object({ source: z.string(), sha256: sha256 }).strict().optional(),
        module: z.object({ source: z.string(), sha256: sha256 }).strict().optional(),
      })
      .strict()
      .optional(),
    /** FalkorDB module arguments, passed on the loadmodule line. */
    params: z
      .object({
        THREAD_COUNT: z.number().int().positive().optional(),
        CACHE_SIZE: z.number().int().min(0).optional(),
        TIMEOUT_DEFAULT: z.number().int().min(0).optional(),
        TIMEOUT_MAX: z.number().int().min(0).optional(),
        QUERY_MEM_CAPACITY: z.number().int().min(0).optional(),
        OMP_THREAD_COUNT: z.number().int().positive().optional(),
        MAX_QUEUED_QUERIES: z.number().int().positive().optional(),
        RESULTSET_SIZE: z.number().int().optional(),
        NODE_CREATION_BUFFER: z.number().int().positive().optional(),
        EFFECTS_THRESHOLD: z.number().int().min(0).optional(),
        CMD_INFO: z.enum(['yes', 'no']).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export const PERSISTENCE = ['hybrid', 'aof', 'rdb', 'none'] as const;

export const redis = z
  .object({
    port: z.number().int().min(1).max(65535).default(6379),
    /** Extra bind addresses besides the host's own address and 127.0.0.1. */
    bind: z.array(z.string()).default([]),
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
    save: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])).default([
      [3600, 1],
      [300, 100],
      [60, 10000],
    ]),
    dataDir: z.string().default('/var/lib/falkordb/data'),
    logDir: z.string().default('/var/log/falkordb'),
    configDir: z.string().default('/etc/falkordb'),
    maxclients: z.number().int().positive().default(10000),
    timeout: z.number().int().min(0).default(0),
    tcpKeepalive: z.number().int().min(0).default(300),
    replBacklogSize: byteSize.default('256mb'),
    replTimeout: z.number().int().positive().default(60),
    minReplicasToWrite: z.number().int().min(0).default(0),
    minReplicasMaxLag: z.number().int().positive().default(10),
    /** Commands renamed away (empty) or disabled; Sentinel needs CONFIG, so never rename it. */
    disabledCommands: z
      .array(z.string())
      .default(['FLUSHALL', 'FLUSHDB', 'DEBUG'])
      .describe('Commands renamed away; never CONFIG, REPLICAOF, INFO, PING, CLIENT ... (Sentinel needs them)'),
    /** Service user on the hosts. */
    user: z.string().default('falkordb'),
  })
  .strict();

export const sentinel = z
  .object({
    masterName: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"')
      .default('falkordb-master'),
    port: z.number().int().min(1).max(65535).default(26379),
    quorum: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe('Sentinels that must agree the master is down: a majority of them'),
    downAfterMs: z.number().int().positive().default(30_000),
    failoverTimeoutMs: z.number().int().positive().default(180_000),
    parallelSyncs: z.number().int().positive().default(1),
    /** Host names that run a Sentinel. Default: every master, replica and sentinel host. */
    hosts: z.array(name).describe('Host names that run a Sentinel (default: every non-haproxy host)').optional(),
    dataDir: z.string().default('/var/lib/falkordb/sentinel'),
  })
  .strict();

export const haproxy = z
  .object({
    /** Host names that run HAProxy. Default: every host with role haproxy. */
    hosts: z.array(name).optional(),
    writePort: z.number().int().min(1).max(65535).default(6380),
    readPort: z.number().int().min(1).max(65535).default(6381),
    /** Include the master in the read pool as a backup when no replica is up. */
    readFallbackToMaster: z.boolean().default(true),
    checkIntervalMs: z.number().int().positive().default(1000),
    statsSocket: z.string().default('/run/haproxy/admin.sock'),
    maxconn: z.number().int().positive().default(4096),
    timeoutClientMs: z.number().int().positive().default(3_600_000),
    timeoutServerMs: z.number().int().positive().default(3_600_000),
    timeoutConnectMs: z.number().int().positive().default(3_000),
  })
  .strict();

export const tls = z
  .object({
    enabled: z.boolean().default(false),
    port: z.number().int().min(1).max(65535).default(6379),
    certFile: z.string(),
    keyFile: z.string(),
    caFile: z.string(),
    /** Keep a plaintext port open too (migration); off means `port 0`. */
    allowPlaintext: z.boolean().default(false),
    replication: z.boolean().default(true),
  })
  .strict();

export const aclUser = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, ".", "_" or "-"'),
    password: secretRef,
    /** ACL rules, e.g. "~* &* +@all -@dangerous". */
    rules: z.string().default('~* &* +@all -@dangerous'),
  })
  .strict();

export const auth = z
  .object({
    /** The password every node requires and uses for replication (one value, since any node can become master). */
    password: secretRef.describe('Reference to the cluster password: env:NAME, file:PATH (mode 600) or prompt'),
    /** Optional: a password for the Sentinels themselves. */
    sentinelPassword: secretRef.optional(),
    /** Optional ACL users besides `default`. */
    users: z.array(aclUser).default([]),
  })
  .strict();

export const monitoring = z
  .object({
    exporterPort: z.number().int().default(9121),
    memoryWarnRatio: z.number().gt(0).lt(1).default(0.85),
    replicationLagBytes: z.number().int().positive().default(10_000_000),
  })
  .strict();

export const inventorySchema = z
  .object({
    cluster: name.describe('Cluster name (a DNS label); used in unit, file and Sentinel names'),
    ssh: sshDefaults.default({}),
    hosts: z.array(host).min(1),
    falkordb: falkordb.default({}),
    redis: redis.default({}),
    sentinel: sentinel.default({}),
    haproxy: haproxy.default({}),
    auth,
    tls: tls.optional(),
    monitoring: monitoring.default({}),
  })
  .strict();

export type InventoryInput = z.input<typeof inventorySchema>;
export type Inventory = z.output<typeof inventorySchema>;
export type Host = z.output<typeof host>;
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
