import { ExitCode, UserError, type ExitCodeValue } from '../errors.js';
import type { RouterClient } from './client.js';
import { ControlError } from './control-protocol.js';
import type { RouterSettings } from './settings.js';

/** An ACME order (account, challenge, finalize, download) is given this long; the CA's own polling fits well inside. */
export const ACME_CONFIGURE_TIMEOUT_MS = 180_000;

/**
 * Pushes the config's `router:` section to the running router. A refusal (a key file readable by others, an ACME
 * order that failed) becomes a UserError with the router's one line and its exit code; nothing was changed.
 */
export async function pushRouterSettings(client: RouterClient, settings: RouterSettings): Promise<void> {
  try {
    await client.call('router.configure', settings, settings.tls?.acme ? { timeoutMs: ACME_CONFIGURE_TIMEOUT_MS } : {});
  } catch (error) {
    if (error instanceof ControlError && error.code === 'rejected') throw new UserError(error.message, (error.exitCode ?? ExitCode.usage) as ExitCodeValue);
    throw error;
  }
}
