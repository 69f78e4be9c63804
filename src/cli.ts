// The commander program. Option declarations live here (cheap); each command's module is imported
// only when that command runs, so `falkorctl --help` loads nothing heavy.
import { Command, CommanderError, Option } from 'commander';
import { createCtx, type CtxIO, type GlobalOptions, type Handler } from './context.js';
import { EXIT, isFalkorError } from './errors.js';

interface CommandSpec {
  name: string;
  summary: string;
  operands?: string;
  configure?: (c: Command) => void;
  load: () => Promise<{ run: Handler }>;
  /** Not listed in --help (the completion scripts' helper). */
  hidden?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(EXIT.USAGE, 'falkorctl.invalidNumber', `not a positive integer: ${v}`);
  return n;
};
const hostSelection = (c: Command) =>
  c
    .option('--limit <pattern>', 'only these hosts: names, globs, role:NAME (repeatable, comma-separated)', collect)
    .option('--forks <n>', 'hosts worked on in parallel', int, 10)
    .option('--accept-new', 'trust unknown host keys on first use (a changed key is always refused)');

const COMMANDS: CommandSpec[] = [
  {
    name: 'init',
    summary: 'write a new inventory (interactive wizard, or flags for a non-interactive run)',
    configure: (c) =>
      c
        .option('-o, --output <file>', 'where to write the inventory (default: the -i path)')
        .option('--cluster <name>', 'cluster name')
        .option(
          '--host <name=address:role>',
          'a host (repeatable); role is master, replica, sentinel or haproxy',
          collect,
        )
        .option('--password <ref>', 'secret reference for the cluster password (env:NAME, file:/path or prompt)')
        .option('--memory <size>', 'RAM of each database host, e.g. 64gb (to size maxmemory)')
        .option('--force', 'overwrite an existing file'),
    load: () => import('./commands/init.js'),
  },
  {
    name: 'inventory',
    summary: 'validate the inventory, or print its JSON Schema (subcommands: validate, schema)',
    operands: '<action>',
    configure: (c) => c.option('-o, --output <file>', 'schema: write to this file instead of stdout'),
    load: () => import('./commands/inventory.js'),
  },
  {
    name: 'render',
    summary: 'render every config, unit and artifact each host needs, then lint them',
    configure: (c) =>
      c
        .option('-o, --output <dir>', 'output directory', 'rendered')
        .option('--host <name>', 'only these hosts (repeatable)', collect)
        .option(
          '--diff',
          'show what would change in the output directory (secrets masked); write nothing; exit 0 if nothing would change, 1 if something would',
        ),
    load: () => import('./commands/render.js'),
  },
  {
    name: 'tls',
    summary: 'issue a private CA and a certificate per inventory host (subcommand: issue); never overwrites',
    operands: '<action>',
    configure: (c) =>
      c
        .option('--out <dir>', 'where the CA and the per-host directories go', 'tls')
        .option('--days <n>', 'validity of the host certificates in days (default 825; the CA gets 3650)'),
    load: () => import('./commands/tls.js'),
  },
  {
    name: 'lint',
    summary: 'review redis/falkordb, sentinel, haproxy, compose and Kubernetes files',
    operands: '<file...>',
    configure: (c) =>
      c
        .addOption(
          new Option('--kind <kind>', 'treat every file as this kind').choices([
            'redis',
            'sentinel',
            'haproxy',
            'compose',
            'kubernetes',
            'prometheus',
            'nftables',
          ]),
        )
        .addOption(
          new Option('--min-severity <level>', 'hide findings below this level')
            .choices(['info', 'warning', 'error'])
            .default('info'),
        ),
    load: () => import('./commands/lint.js'),
  },
  {
    name: 'deploy',
    summary: 'install, configure and start the cluster in order: master, replicas, Sentinels, HAProxy',
    configure: (c) =>
      hostSelection(c)
        .option(
          '--diff',
          'show file diffs against the hosts (secrets masked); change nothing; exit 1 if something would change',
        )
        .option(
          '--force-unlock <cluster>',
          "remove another run's cluster lock first (type the cluster name; only when that run is gone)",
        ),
    load: () => import('./commands/deploy.js'),
  },
  {
    name: 'provision',
    summary: 'XFS data volumes on the database hosts (plain device; LVM planned later): planned, idempotent',
    configure: (c) =>
      hostSelection(c)
        .option('--diff', 'show the plan; change nothing; exit 1 if something would change')
        .option(
          '--wipe <hosts>',
          'allow erasing signatures on these hosts (the host name is typed to confirm)',
          collect,
        ),
    load: () => import('./commands/provision.js'),
  },
  {
    name: 'firewall',
    summary: 'firewall apply: nftables per host, checked with nft -c, rolled back by the host unless confirmed',
    operands: '<action>',
    configure: (c) =>
      hostSelection(c)
        .option(
          '--confirm-timeout <seconds>',
          'the host restores its previous table after this unless confirmed',
          int,
          60,
        )
        .option('--no-source-check', "skip refusing when this machine's address is not in network.operator"),
    load: () => import('./commands/firewall.js'),
  },
  {
    name: 'switchover',
    summary: 'hand the master role to a replica: writes paused < 1 s, no acknowledged write lost',
    configure: (c) =>
      c
        .option('--to <host>', 'the replica to promote (default: lowest replica-priority, then highest offset)')
        .option('--accept-new', 'trust unknown host keys on first use (a changed key is always refused)'),
    load: () => import('./commands/switchover.js'),
  },
  {
    name: 'rolling-restart',
    summary: 'restart every FalkorDB node, replicas first, the master by a switchover: writes keep flowing',
    configure: (c) =>
      hostSelection(c)
        .option('--switch-back', 'hand the master role back to the original master at the end')
        .option('--full-resync', 'restart replicas from their AOF as is (each then needs a full resync)'),
    load: () => import('./commands/rolling-restart.js'),
  },
  {
    name: 'config',
    summary: 'config update: settings onto the running cluster (lint, trial start, runtime first, restarts rolling)',
    operands: '<action>',
    configure: (c) =>
      hostSelection(c)
        .option('--set <name=value>', 'a Redis directive, FalkorDB parameter or sentinel.NAME (repeatable)', collect)
        .option('--restart', 'apply restart-only changes now, through the rolling-restart path'),
    load: () => import('./commands/config-update.js'),
  },
  {
    name: 'failover-test',
    summary: 'measure a failover under write load: switchover and back (or --unplanned kill -9), writes read back',
    configure: (c) =>
      c
        .option('--duration <seconds>', 'writing before and after the failover (default 3)')
        .option('--unplanned', 'kill -9 the master and let Sentinel fail over on its own')
        .option('--report <file>', 'also write an HTML report with the timeline')
        .option('--accept-new', 'trust unknown host keys on first use (a changed key is always refused)'),
    load: () => import('./commands/failover-test.js'),
  },
  {
    name: 'checklist',
    summary:
      "the seed's pre-/post-deployment checklists, checked on the real hosts, with evidence (read-only unless " +
      '--load-test / --failover-test)',
    configure: (c) =>
      hostSelection(c)
        .addOption(new Option('--phase <phase>', 'which list').choices(['pre', 'deploy', 'post', 'all']).default('all'))
        .option('--retry-timeout <seconds>', 'keep re-checking a cluster state that may still settle (default 60)')
        .option('--sign-off <name>', 'record the manual items as confirmed by NAME')
        .option('--only <id...>', 'only these checks: an id or id prefix (kernel, storage.mount:db1)')
        .option('--skip <id...>', 'leave out these checks (id or id prefix)')
        .option('--junit <file>', 'also write the results as JUnit XML (for CI)')
        .option('--markdown <file>', 'also write the results as Markdown (a runbook or go-live record)')
        .option('--load-test', 'run "Load test": writes to a scratch graph through HAProxy, ops/s and p99')
        .option('--load-duration <seconds>', 'with --load-test: how long to write (default 10, at most 300)')
        .option('--load-p99 <ms>', 'with --load-test: fail above this p99 write latency (default 50)')
        .option('--failover-test', 'run "Perform failover test": a switchover and back under load (needs --yes)')
        .option(
          '--failover-max-unavailable <ms>',
          'with --failover-test: fail when writes fail for longer than this at once (default 1000)',
        ),
    load: () => import('./commands/checklist.js'),
  },
  {
    name: 'backup',
    summary:
      'a verified RDB snapshot on the backup directory (a replica by default); `backup list` shows them, ' +
      '`backup prune` applies the retention policy, `backup schedule` installs the timer',
    operands: '[action]',
    configure: (c) =>
      c
        .option('--host <name>', 'take it on this node (the master only when named here)')
        .option('--verify-restore', 'also load the copy in a throwaway server and compare it with the manifest')
        .option('--to <dir>', 'also download the backup and its manifest to DIR here (sha256 checked)')
        .option('--forks <n>', 'list, prune, schedule: hosts worked on in parallel', int, 10)
        .option('--accept-new', 'trust unknown host keys on first use (a changed key is always refused)'),
    load: () => import('./commands/backup.js'),
  },
  {
    name: 'restore',
    summary: "replace every node's data with a backup (an id from `backup list`): guarded, verified, re-runnable",
    operands: '<backup>',
    configure: (c) =>
      c
        .option('--confirm <cluster>', 'the cluster name, typed (with --yes when there is no terminal)')
        .option('--forks <n>', 'hosts worked on in parallel', int, 10)
        .option('--accept-new', 'trust unknown host keys on first use (a changed key is always refused)'),
    load: () => import('./commands/restore.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: eval "$(falkorctl completion bash)" (also zsh, fish)',
    operands: '<shell>',
    load: () => import('./commands/completion.js'),
  },
  {
    name: '__complete',
    summary: 'completion candidates for the words typed so far (called by the completion scripts)',
    operands: '[words...]',
    hidden: true,
    configure: (c) => c.helpOption(false).allowUnknownOption(),
    load: () => import('./commands/complete.js'),
  },
  {
    name: 'status',
    summary: 'per-host health, replication, Sentinel agreement and HAProxy backends',
    configure: (c) =>
      hostSelection(c)
        .option('--watch [seconds]', 'refresh every N seconds (default 2) until Ctrl-C')
        .option('--count <n>', 'with --watch: stop after N refreshes', int)
        .option('--direct', "connect to Redis/Sentinel at the hosts' addresses instead of through SSH"),
    load: () => import('./commands/status.js'),
  },
];

export function buildProgram(
  run: (spec: CommandSpec, operands: string[], opts: Record<string, unknown>, global: GlobalOptions) => Promise<void>,
): Command {
  const program = new Command('falkorctl')
    .description('FalkorDB from bare metal to a verified, highly available cluster')
    .version(VERSION, '-V, --version')
    .option('-i, --inventory <file>', 'inventory file', 'falkorctl.yaml')
    .option('--json', 'machine-readable output on stdout')
    .option('-v, --verbose', 'more detail, and stack traces for errors')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('-y, --yes', 'answer yes to confirmations (destructive steps included)')
    .option('-n, --dry-run', 'show the plan, change nothing')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes:
  0   success
  1   failed: a check failed, findings reported, a remote step failed, cluster degraded
  2   usage error or invalid input (flags, inventory, files)
  3   refused: a dangerous step was not confirmed or is unsafe now
  70  internal error (a bug; please report it with --verbose output)`,
    );
  for (const spec of COMMANDS) {
    const c = program
      .command(spec.operands ? `${spec.name} ${spec.operands}` : spec.name, { hidden: spec.hidden ?? false })
      .description(spec.summary);
    spec.configure?.(c);
    c.action(async (...a: unknown[]) => {
      const cmd = a[a.length - 1] as Command;
      const g = cmd.optsWithGlobals<Record<string, unknown>>();
      const operands = cmd.args;
      await run(spec, operands, cmd.opts(), {
        inventory: typeof g.inventory === 'string' ? g.inventory : 'falkorctl.yaml',
        json: Boolean(g.json),
        verbose: Boolean(g.verbose),
        color: g.color !== false,
        yes: Boolean(g.yes),
        dryRun: Boolean(g.dryRun),
      });
    });
  }
  return program;
}

const VERSION = '0.1.0';

export async function main(argv: string[], io: CtxIO = processIO()): Promise<number> {
  let exitCode: number = EXIT.OK;
  let verbose = argv.includes('--verbose') || argv.includes('-v');
  let err: (t: string) => void = (t) => io.stderr.write(`${t}\n`);
  const program = buildProgram(async (spec, operands, opts, global) => {
    verbose = global.verbose;
    const color = global.color && !('NO_COLOR' in io.env) && Boolean(io.stdout.isTTY);
    const ctx = createCtx({ ...global, color }, io, argv.slice(2));
    err = (t) => ctx.out.error(t);
    const mod = await spec.load();
    const code = await mod.run({ operands, opts }, ctx);
    exitCode = typeof code === 'number' ? code : EXIT.OK;
  });
  // Subcommands were created before these settings, so apply them to each (commander copies them only at creation).
  for (const c of [program, ...program.commands]) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  // commander shows the root help for `falkorctl nosuchcommand --help` and exits 0; a typo must fail in a script.
  const unknown = unknownCommand(program, argv.slice(2));
  if (unknown) {
    io.stderr.write(`${unknown}\n(run with --help for usage)\n`);
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      if (e.code === 'falkorctl.invalidNumber') io.stderr.write(`error: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (isFalkorError(e)) {
      err(e.message);
      if (e.hint) io.stderr.write(`  hint: ${e.hint}\n`);
      if (verbose && e.stack) io.stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.stderr.write(`internal error (a bug in falkorctl):\n${stack}\n`);
    return EXIT.INTERNAL;
  }
}

/** The first operand, when it names no command: "error: unknown command 'x'" and the closest name, if any. */
export function unknownCommand(program: Command, words: readonly string[]): string | undefined {
  const valued = new Set(['-i', '--inventory']);
  let word: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (valued.has(w)) i++;
    else if (!w.startsWith('-')) {
      word = w;
      break;
    }
  }
  if (word === undefined || word === 'help') return undefined;
  const names = program.commands.map((c) => c.name());
  if (names.includes(word)) return undefined;
  const close = names
    .map((n) => ({ n, d: editDistance(word, n) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(x.n.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return `error: unknown command '${word}'${close ? `\n(Did you mean ${close.n}?)` : ''}`;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function processIO(): CtxIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}
