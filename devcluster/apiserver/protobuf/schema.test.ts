import assert from 'node:assert/strict';
import { kinds, messages } from './schema.ts';

const builtIn = new Set(['string', 'bytes', 'int32', 'int64', 'bool', 'Time', 'IntOrString', 'Quantity', 'StringList']);

describe('protobuf schema table', () => {
  it('refers only to messages it defines, from fields and from the kind table alike', () => {
    for (const [name, spec] of Object.entries(messages)) {
      for (const field of spec ?? []) {
        assert.ok(builtIn.has(field.type) || messages[field.type], `${name}.${field.json} refers to undefined ${field.type}`);
      }
    }
    for (const [kind, name] of Object.entries(kinds)) assert.ok(messages[name], `${kind} maps to undefined ${name}`);
  });

  it('gives every field of a message its own number and its own JSON name', () => {
    for (const [name, spec] of Object.entries(messages)) {
      const fields = spec ?? [];
      assert.equal(new Set(fields.map((f) => f.no)).size, fields.length, `${name} repeats a field number`);
      assert.equal(new Set(fields.map((f) => f.json)).size, fields.length, `${name} repeats a JSON name`);
    }
  });

  it('marks inline only non-repeated message fields, and never a field both map and repeated', () => {
    for (const [name, spec] of Object.entries(messages)) {
      for (const field of spec ?? []) {
        if (field.inline) assert.ok(messages[field.type] && !field.repeated && !field.map && !field.pointer, `${name}.${field.json}`);
        assert.ok(!(field.map && field.repeated), `${name}.${field.json}`);
      }
    }
  });
});
