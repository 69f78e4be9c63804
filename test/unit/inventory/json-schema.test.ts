import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metaOf } from '../../../src/inventory/fields.js';
import { caseless } from '../../../src/inventory/json-schema.js';
import { byteSize, inventorySchema } from '../../../src/inventory/schema.js';
import { inventoryJsonSchema } from '../../../src/inventory/index.js';
import { BASE, fixture } from './helpers.js';

type S = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A small JSON Schema checker for exactly the keywords the converter emits, so the test can show that
 * an editor would accept what falkorctl accepts and reject what it rejects. Returns the failing paths.
 */
function violations(s: S, v: unknown, at = '$'): string[] {
  const out: string[] = [];
  if (s.anyOf) return (s.anyOf as S[]).some((b) => violations(b, v, at).length === 0) ? [] : [`${at}: anyOf`];
  if (s.const !== undefined && v !== s.const) out.push(`${at}: const`);
  if (s.enum && !s.enum.includes(v)) out.push(`${at}: enum`);
  const type = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;
  if (s.type === 'integer' ? !Number.isInteger(v) : s.type && s.type !== type) return [...out, `${at}: type ${s.type}`];
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out.push(`${at}: minimum`);
    if (s.maximum !== undefined && v > s.maximum) out.push(`${at}: maximum`);
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) out.push(`${at}: exclusiveMinimum`);
  }
  if (typeof v === 'string') {
    if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) out.push(`${at}: pattern`);
    if (s.minLength !== undefined && v.length < s.minLength) out.push(`${at}: minLength`);
    if (s.maxLength !== undefined && v.length > s.maxLength) out.push(`${at}: maxLength`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out.push(`${at}: minItems`);
    v.forEach((x, i) => {
      const item = s.prefixItems?.[i] ?? s.items;
      if (item === false) out.push(`${at}[${i}]: extra item`);
      else if (item) out.push(...violations(item, x, `${at}[${i}]`));
    });
  }
  if (type === 'object' && s.properties) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) out.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (s.properties[k]) out.push(...violations(s.properties[k], x, `${at}.${k}`));
      else if (s.additionalProperties === false) out.push(`${at}.${k}: additional`);
    }
  }
  return out;
}

describe('inventory JSON Schema', () => {
  const schema = inventoryJsonSchema();

  it('is draft 2020-12 with the top-level contract', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema).toMatchObject({
      type: 'object',
      required: ['cluster', 'hosts', 'auth'],
      additionalProperties: false,
    });
    const host = schema.properties.hosts.items;
    expect(host.required).toEqual(['name', 'address', 'role']);
    expect(host.properties.role).toMatchObject({
      type: 'string',
      enum: ['master', 'replica', 'sentinel', 'haproxy', 'monitoring'],
      description: expect.stringMatching(/^master \| replica/),
    });
    expect(schema.properties.redis.properties.port).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 6379,
    });
    expect(schema.properties.redis.properties.save.items).toMatchObject({
      prefixItems: [{ type: 'integer' }, { type: 'integer' }],
      items: false,
    });
  });
  it('accepts the valid fixtures and the shipped example', () => {
    expect(violations(schema, parse(BASE))).toEqual([]);
    expect(violations(schema, parse(fixture('../../../examples/falkorctl.yaml')))).toEqual([]);
  });
  it('rejects what the zod schema rejects', () => {
    const bad = parse(fixture('many-errors.yaml'), { uniqueKeys: false });
    expect(inventorySchema.safeParse(bad).success).toBe(false);
    const v = violations(schema, bad);
    for (const p of [
      '$.cluster: pattern',
      '$.hosts[1].adress: additional',
      '$.hosts[1].role: enum',
      '$.redis.port: type integer',
      '$.redis.maxmemory: anyOf',
      '$.auth.password: required',
    ]) {
      expect(v).toContain(p);
    }
  });
  it('spells case-insensitive patterns out so they match the same strings', () => {
    expect(caseless('^a[b-d]\\d(k|kb)?$')).toBe('^[aA][b-dB-D]\\d([kK]|[kK][bB])?$');
    const zodRe = metaOf(byteSize.options[1])!.pattern!;
    const re = new RegExp(caseless(zodRe.source), 'u');
    for (const s of ['48gb', '48GB', '1.5TiB', '512', ' 64 Mb ', 'lots', '48gbx', ''])
      expect([s, re.test(s)]).toEqual([s, zodRe.test(s)]);
  });
  it('every pattern compiles as a unicode regex (as JSON Schema validators use)', () => {
    const patterns: string[] = [];
    const walk = (x: unknown) => {
      if (x && typeof x === 'object')
        for (const [k, v] of Object.entries(x)) {
          if (k === 'pattern') patterns.push(v as string);
          else walk(v);
        }
    };
    walk(schema);
    expect(patterns.length).toBeGreaterThan(8);
    for (const p of patterns) expect(() => new RegExp(p, 'u')).not.toThrow();
  });
});
