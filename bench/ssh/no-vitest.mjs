// See vite-node.config.mjs: outside vitest there is no test file to record a skip reason for.
export const expect = { getState: () => ({ testPath: undefined }) };
