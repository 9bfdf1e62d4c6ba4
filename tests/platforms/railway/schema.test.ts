import { getOperationAST, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../../src/platforms/railway/operations.js';
import { loadRailwaySchema, requireSchemaOrSkip } from './support/schema.js';

const available = requireSchemaOrSkip();

describe.skipIf(!available)('Railway contract test: every operation the driver sends is valid against the published schema', () => {
  for (const [name, text] of Object.entries(OPERATIONS)) {
    it(`${name} parses, is named and validates`, () => {
      const document = parse(text);
      const operation = getOperationAST(document);
      expect(operation?.name?.value).toMatch(/^Shipgate/);
      const errors = validate(loadRailwaySchema(), document).map((e) => e.message);
      expect(errors).toEqual([]);
    });
  }

  it('a wrong field is caught (the check is not vacuous)', () => {
    const errors = validate(loadRailwaySchema(), parse('query X { deployment(id: "1") { id nope } }'));
    expect(errors.map((e) => e.message).join()).toContain('nope');
  });
});
