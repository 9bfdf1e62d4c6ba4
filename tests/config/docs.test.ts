import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigurationMarkdown, renderJsonSchema } from '../../src/config/docs.js';
import { ROOT } from '../setup/build.js';

describe('generated config docs', () => {
  it('docs/deploy.config.schema.json is up to date (npm run build && node scripts/gen-docs.mjs)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'deploy.config.schema.json'), 'utf8')).toBe(renderJsonSchema());
  });
  it('docs/configuration.md is up to date (npm run build && node scripts/gen-docs.mjs)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8')).toBe(renderConfigurationMarkdown());
  });
  it('every documented key carries a description', () => {
    const md = renderConfigurationMarkdown();
    for (const row of md.split('\n').filter((l) => l.startsWith('| `'))) expect(row.split('|')[3].trim().length).toBeGreaterThan(3);
  });
});
