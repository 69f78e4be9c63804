// The inventory schema as JSON Schema (draft 2020-12) for editors (yaml-language-server, VS Code).
// A small converter for the zod types the inventory actually uses; an unknown zod type is a bug here
// and throws, rather than silently producing a schema that accepts anything.
import { z, type ZodTypeAny } from 'zod';
import { metaOf } from './fields.js';
import { inventorySchema } from './schema.js';

type Json = Record<string, unknown>;

export function inventoryJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'falkorctl inventory',
    ...toJsonSchema(inventorySchema),
  };
}

export function toJsonSchema(s: ZodTypeAny): Json {
  const base: Json = s.description ? { description: s.description } : {};
  if (s instanceof z.ZodDefault)
    return { ...toJsonSchema(s.removeDefault() as ZodTypeAny), default: s._def.defaultValue(), ...base };
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable)
    return { ...toJsonSchema(s.unwrap() as ZodTypeAny), ...base };
  const meta = metaOf(s);
  if (meta) {
    const p = meta.pattern;
    const pattern = p ? { pattern: p.flags.includes('i') ? caseless(p.source) : p.source } : {};
    return { ...base, type: 'string', maxLength: meta.maxLength, ...pattern };
  }
  if (s instanceof z.ZodEffects) return { ...toJsonSchema(s.innerType() as ZodTypeAny), ...base };
  if (s instanceof z.ZodObject) {
    const shape = s.shape as Record<string, ZodTypeAny>;
    const properties: Json = {};
    const required: string[] = [];
    for (const [k, v] of Object.entries(shape)) {
      properties[k] = toJsonSchema(v);
      if (!v.isOptional()) required.push(k);
    }
    const strict = s._def.unknownKeys === 'strict';
    return {
      ...base,
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      ...(strict ? { additionalProperties: false } : {}),
    };
  }
  if (s instanceof z.ZodArray) {
    const min = s._def.minLength?.value;
    const max = s._def.maxLength?.value;
    return {
      ...base,
      type: 'array',
      items: toJsonSchema(s.element as ZodTypeAny),
      ...(min ? { minItems: min } : {}),
      ...(max ? { maxItems: max } : {}),
    };
  }
  if (s instanceof z.ZodTuple) {
    const items = (s.items as ZodTypeAny[]).map(toJsonSchema);
    return { ...base, type: 'array', prefixItems: items, items: false, minItems: items.length, maxItems: items.length };
  }
  if (s instanceof z.ZodUnion) return { ...base, anyOf: (s.options as ZodTypeAny[]).map(toJsonSchema) };
  if (s instanceof z.ZodEnum) return { ...base, type: 'string', enum: [...(s.options as string[])] };
  if (s instanceof z.ZodLiteral) return { ...base, const: s.value };
  if (s instanceof z.ZodBoolean) return { ...base, type: 'boolean' };
  if (s instanceof z.ZodString) return { ...base, ...stringSchema(s) };
  if (s instanceof z.ZodNumber) return { ...base, ...numberSchema(s) };
  throw new Error(`json-schema: no conversion for ${s.constructor.name}`);
}

function stringSchema(s: z.ZodString): Json {
  const out: Json = { type: 'string' };
  for (const c of s._def.checks) {
    if (c.kind === 'regex') out.pattern = c.regex.flags.includes('i') ? caseless(c.regex.source) : c.regex.source;
    else if (c.kind === 'min') out.minLength = c.value;
    else if (c.kind === 'max') out.maxLength = c.value;
  }
  return out;
}

function numberSchema(s: z.ZodNumber): Json {
  const out: Json = { type: 'number' };
  for (const c of s._def.checks) {
    if (c.kind === 'int') out.type = 'integer';
    else if (c.kind === 'min') out[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
    else if (c.kind === 'max') out[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
  }
  return out;
}

/** JSON Schema patterns have no flags: spell a case-insensitive regex out as [kK] classes. */
export function caseless(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] ?? '';
    if (ch === '\\') {
      out += ch + (source[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      const next = source[i + 1];
      const end = source[i + 2];
      if (/[a-z]/i.test(ch) && next === '-' && end && /[a-z]/i.test(end)) {
        out += `${ch}-${end}${swap(ch)}-${swap(end)}`;
        i += 2;
      } else out += /[a-z]/i.test(ch) ? ch + swap(ch) : ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
    } else out += /[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch;
  }
  return out;
}

const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
