#!/usr/bin/env node
// Regenerates what is written from the sources: docs/deploy.config.schema.json and docs/configuration.md (from
// src/config/schema.ts and the bundle), the table of checks in docs/pre-checks.md (from src/checks/registry.ts), and the
// recipes.yaml copy in plugin/skills/deployment-recipes/SKILL.md.
// Usage: npm run docs   (tests/config/docs.test.ts, tests/checks/registry.test.ts and tests/plugin/manifest.test.ts
// check they are current)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderJsonSchema, renderConfigurationMarkdown } = await import(join(root, 'dist/src/config/docs.js'));
const { PLUGIN_SKILL, freshPluginSkill } = await import(join(root, 'dist/src/bundle/plugin-skill.js'));
const { renderPreChecksPage } = await import(join(root, 'dist/src/checks/docs.js'));
const preChecksPage = join(root, 'docs/pre-checks.md');
writeFileSync(join(root, 'docs/deploy.config.schema.json'), renderJsonSchema());
writeFileSync(join(root, 'docs/configuration.md'), renderConfigurationMarkdown());
writeFileSync(preChecksPage, renderPreChecksPage(readFileSync(preChecksPage, 'utf8')));
writeFileSync(join(root, PLUGIN_SKILL), freshPluginSkill(root));
console.log(`wrote docs/deploy.config.schema.json, docs/configuration.md, docs/pre-checks.md and ${PLUGIN_SKILL}`);
