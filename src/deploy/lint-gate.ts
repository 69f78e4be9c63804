// deploy pushes nothing that `falkorctl lint` calls an error: the rendered files are staged in a private
// temp dir (secrets included, mode 0600 there), linted as render lints them, and the dir removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FalkorError } from '../errors.js';
import { formatFindings } from '../lint/index.js';
import type { RenderedFile } from '../render/index.js';
import { lintRendered } from '../render/lint-output.js';
import { stage } from '../render/output.js';

export async function lintGate(files: RenderedFile[], secrets: string[], color: boolean): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'falkorctl-deploy-'));
  try {
    const written = await stage(dir, files, '');
    const errors = (await lintRendered(files, written, 'rendered', secrets)).filter((f) => f.severity === 'error');
    if (errors.length) {
      throw new FalkorError(
        'FAILED',
        `lint found ${errors.length} error(s) in the files deploy would push; nothing was changed\n${formatFindings(errors, color)}`,
        {
          hint: 'fix the inventory (falkorctl render shows every finding)',
        },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
