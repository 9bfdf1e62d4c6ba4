#!/usr/bin/env node
// Runs the shipgate CLI that the project pins (node_modules/shipgate, found upward from the working
// directory, or the shipgate checkout itself), so chat, terminal and CI run the same version. Without
// one it falls back to the published version matching this plugin, through npx.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

// The bundled bin first; a pinned shipgate built before the bundle has only the compiled CLI.
const CLI_FILES = [['dist', 'bin', 'deploy.js'], ['dist', 'src', 'cli', 'main.js']];

function cliIn(root) {
  for (const parts of CLI_FILES) {
    const file = join(root, ...parts);
    if (existsSync(file)) return file;
  }
  return null;
}

function pinnedCli(from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const installed = cliIn(join(dir, 'node_modules', 'shipgate'));
    if (installed) return installed;
    const checkout = isShipgate(join(dir, 'package.json')) ? cliIn(dir) : null;
    if (checkout) return checkout;
    if (dirname(dir) === dir) return null;
  }
}

function isShipgate(packageJson) {
  try {
    return JSON.parse(readFileSync(packageJson, 'utf8')).name === 'shipgate';
  } catch {
    return false;
  }
}

const cli = pinnedCli(process.cwd());
let result;
if (cli) result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
else {
  const manifest = join(dirname(fileURLToPath(import.meta.url)), '..', '.claude-plugin', 'plugin.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  process.stderr.write(`shipgate: no shipgate in this project's node_modules; running shipgate@${version} through npx\n`);
  result = spawnSync('npx', ['--yes', '--package', `shipgate@${version}`, '--', 'deploy', ...args], { stdio: 'inherit' });
}
if (result.error) {
  process.stderr.write(`shipgate: ${result.error.message}\n`);
  process.exit(2);
}
process.exit(result.status ?? 4);
