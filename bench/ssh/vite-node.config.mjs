// The bench reuses the tests' sshd harness (tests/helpers/ssh-hosts.ts), whose skip-reason helper imports vitest's
// `expect`; outside a vitest run that import throws, so the bench gets a stand-in that records nothing.
import { fileURLToPath } from 'node:url';

export default { resolve: { alias: { vitest: fileURLToPath(new URL('./no-vitest.mjs', import.meta.url)) } } };
