// The data directory on its volume: owned by the service user, mode 0750, exactly as deploy wants it, so the
// database can write there from its first start and a deploy after provision finds nothing to change. The user
// is made here when it is missing (provision usually runs before any deploy), with deploy's own useradd.
import { SERVICE_DIR_MODE, useraddArgv } from '../templates/common.js';
import type { StorageFacts } from './discover.js';
import { norm, type StepFn } from './mount.js';

export interface ServiceDir {
  user: string;
  /** redis.dataDir. */
  dir: string;
  /** The declared mount point that holds it (the deepest one). */
  mount: string;
}

export function planOwnership(svc: ServiceDir, facts: StorageFacts, step: StepFn): void {
  const f = facts.service;
  if (!f?.userExists)
    step('user', `create the service user ${svc.user} (a system user, as deploy makes it)`, [
      ...useraddArgv(svc.user, svc.dir),
    ]);
  // Before its volume is mounted, stat saw the directory underneath, which the mount hides: set it after.
  const mounted = facts.mounts.some((m) => m.target === norm(svc.mount));
  const st = mounted ? f?.stat : undefined;
  if (st && st.owner === svc.user && st.group === svc.user && st.mode === SERVICE_DIR_MODE) return;
  const mode = SERVICE_DIR_MODE.toString(8);
  const seen = st ? ` (now ${st.owner}:${st.group} ${st.mode.toString(8)})` : '';
  step('owner', `${svc.dir} owned by ${svc.user}:${svc.user}, mode ${mode}${seen}`, [
    'install',
    '-d',
    '-m',
    mode,
    '-o',
    svc.user,
    '-g',
    svc.user,
    svc.dir,
  ]);
}
