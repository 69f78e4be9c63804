// How connection failures read: one line naming the connection, the taxonomy code callers compare.
import { describe, expect, it } from 'vitest';
import { FalkorError } from '../../../src/errors.js';
import { mapError } from '../../../src/redis/client.js';

const label = 'db2:6379 (via SSH)';
const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('mapError', () => {
  it('refused, timed out, closed', () => {
    expect(mapError(errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:40000'), label)).toMatchObject({
      code: 'REMOTE',
      message: 'db2:6379 (via SSH): connection refused',
    });
    expect(mapError(errno('ETIMEDOUT', 'connect ETIMEDOUT'), label)).toMatchObject({
      code: 'TIMEOUT',
      message: 'db2:6379 (via SSH): no answer (connect ETIMEDOUT)',
    });
    expect(mapError(new Error('Command timed out'), label).code).toBe('TIMEOUT');
    expect(mapError(new Error('Connection is closed.'), label).message).toBe(
      'db2:6379 (via SSH): connection closed by the server',
    );
  });
  it("keeps the server's own reply (a wrong password, a missing one)", () => {
    expect(mapError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), label).message).toBe(
      'db2:6379 (via SSH): WRONGPASS invalid username-password pair or user is disabled.',
    );
    expect(mapError(new Error('NOAUTH Authentication required.'), label).message).toMatch(
      /^db2:6379 \(via SSH\): NOAUTH/,
    );
  });
  it('passes a FalkorError (e.g. the SSH channel refusal) through unchanged', () => {
    const e = new FalkorError('REFUSED', 'db2 (10.0.0.2:22): host key is not known');
    expect(mapError(e, label)).toBe(e);
  });
});
