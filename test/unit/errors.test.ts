import { describe, expect, it } from 'vitest';
import { EXIT, FalkorError, RemoteError, excerptOf, isFalkorError, refusal, userError } from '../../src/errors.js';
import { quote, quoteArgv } from '../../src/remote/quote.js';

describe('error taxonomy', () => {
  it('maps codes to documented exit codes', () => {
    expect(userError('x').exitCode).toBe(EXIT.USAGE);
    expect(refusal('x').exitCode).toBe(EXIT.REFUSED);
    expect(new FalkorError('FAILED', 'x').exitCode).toBe(EXIT.FAILED);
    expect(isFalkorError(new Error('plain'))).toBe(false);
    expect(isFalkorError(userError('x'))).toBe(true);
  });
  it('names host, command, status and the last stderr lines of a remote failure', () => {
    const e = new RemoteError({
      host: 'db1',
      argv: ['systemctl', 'start', 'falkordb'],
      exitStatus: 5,
      stderr: 'a\n\nb\nc\n',
    });
    expect(e.code).toBe('REMOTE');
    expect(e.message).toContain('db1: `systemctl start falkordb` failed (exit 5)');
    expect(e.stderrExcerpt).toBe('a\nb\nc');
    expect(excerptOf('1\n2\n3\n4', 2)).toBe('3\n4');
  });
});

describe('quote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(quote('abc/def-1.2')).toBe('abc/def-1.2');
    expect(quote('')).toBe("''");
    expect(quote("it's $HOME; rm")).toBe(`'it'\\''s $HOME; rm'`);
    expect(quoteArgv(['echo', 'a b', '*'])).toBe(`echo 'a b' '*'`);
  });
});
