#!/usr/bin/env node
// Regenerates docs/deploy.config.schema.json and docs/configuration.md from src/config/schema.ts.
// Usage: npm run build && node scripts/gen-docs.mjs   (tests/config/docs.test.ts checks they are current)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderJsonSchema, renderConfigurationMarkdown } = await import(join(root, 'dist/src/config/docs.js'));
writeFileSync(join(root, 'docs/deploy.config.schema.json'), renderJsonSchema());
writeFileSync(join(root, 'docs/configuration.md'), renderConfigurationMarkdown());
console.log('wrote docs/deploy.config.schema.json and docs/configuration.md');
