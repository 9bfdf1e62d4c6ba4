import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Creates a real project in a temp dir from a map of relative path -> content. */
export async function makeProject(files: Record<string, string>, options: { linkNodeModules?: boolean } = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'shipgate-proj-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  // Reuses this repo's installed vitest (and pg) without a network install.
  if (options.linkNodeModules) await symlink(join(process.cwd(), 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

export function pkg(scripts: Record<string, string>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: 'fixture', private: true, type: 'module', scripts, ...extra }, null, 2);
}
