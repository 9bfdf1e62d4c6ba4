/**
 * Imports a module of ours that another part of the project may not have written yet.
 * Returns null only when that very module is missing; any other failure is a real error.
 */
export async function importOptional<T>(specifier: URL): Promise<T | null> {
  try {
    return (await import(specifier.href)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message ?? '';
    const path = decodeURIComponent(specifier.pathname);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT') && (message.includes(`'${path}'`) || message.includes(`'${specifier.href}'`))) return null;
    throw error;
  }
}
