// The setup most lab test files share: the lab claimed for this file, brought up, wiped back to bare and deployed
// with the lab's own inventory; afterwards every Redis client closed and everything registered for cleanup
// undone. `ready` receives the lab before the wipe (where a file keeps it and makes its scratch directory).
import { afterAll, beforeAll } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { closeClients, setupDeploy, wipe } from './deploy-fixture.js';

export function useDeployedLab(ready: (lab: Lab) => void, teardown: () => void = () => undefined): void {
  beforeAll(async () => {
    await claim(labClusterClaim(), 600_000);
    const lab = await labUp();
    ready(lab);
    await wipe(lab);
    await setupDeploy(lab.inventoryPath);
  });
  afterAll(async () => {
    closeClients();
    teardown();
    await cleanupAll();
  });
}
