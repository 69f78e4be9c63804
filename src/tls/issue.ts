// Carries out an IssuePlan in DIR. Everything is made in a private staging directory inside DIR and then
// hard-linked into place: link(2) fails when the name exists, so even a file that appeared after planning is
// never replaced. A failure removes only the files this run linked, and the staging directory always goes.
import { constants } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FalkorError } from '../errors.js';
import type { IssuePlan } from './plan.js';
import { caCert, caConfig, genKey, hostConfig, hostCsr, openssl, signHost } from './openssl.js';

async function place(from: string, to: string, created: string[]): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new FalkorError('REFUSED', `${to} appeared while tls issue ran; it was left as it is`);
    throw e;
  }
  created.push(to);
}

/** Returns the files it created, in order. */
export async function executeIssue(plan: IssuePlan, progress: (line: string) => void): Promise<string[]> {
  await mkdir(plan.dir, { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(join(plan.dir, '.staging-')); // 0700
  const created: string[] = [];
  try {
    const ca = plan.ca;
    if (ca.action === 'create') {
      const cnf = join(staging, 'ca.cnf');
      await writeFile(cnf, caConfig(ca.subject));
      await openssl(genKey(join(staging, 'ca.key')), '077');
      await openssl(
        caCert({ config: cnf, key: join(staging, 'ca.key'), out: join(staging, 'ca.crt'), days: plan.caDays }),
        '022',
      );
      await place(join(staging, 'ca.key'), ca.key, created);
      await place(join(staging, 'ca.crt'), ca.cert, created);
      progress(`created the CA: ${ca.cert}`);
    }
    for (const h of plan.hosts) {
      await mkdir(h.files.dir, { recursive: true, mode: 0o700 });
      if (h.action === 'create') {
        const s = (ext: string) => join(staging, `${h.host}.${ext}`);
        await writeFile(s('cnf'), hostConfig(h.host, h.sans));
        await openssl(genKey(s('key')), '077');
        await openssl(hostCsr({ config: s('cnf'), key: s('key'), out: s('csr') }), '022');
        await openssl(
          signHost({ config: s('cnf'), csr: s('csr'), caCert: ca.cert, caKey: ca.key, out: s('crt'), days: plan.days }),
          '022',
        );
        await place(s('key'), h.files.key, created);
        await place(s('crt'), h.files.cert, created);
      }
      if (h.writeCa) {
        await copyFile(ca.cert, h.files.ca, constants.COPYFILE_EXCL);
        created.push(h.files.ca);
      }
      if (h.action === 'create' || h.writeCa) progress(`${h.host}: wrote ${h.files.dir}`);
    }
  } catch (e) {
    for (const f of created.reverse()) await rm(f, { force: true });
    throw e;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return created;
}
