import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for the three doors: the Electron main entry and the CLI share the
// core under src/main; the renderer is served by Electron and by `roadside serve`.
export default defineConfig({
  main: {
    build: {
      // Bundled (tree-shaken) rather than loaded whole: importing all of client-node costs
      // about half a second, most of it generated models no command uses.
      externalizeDeps: { exclude: ['@kubernetes/client-node', 'zod', 'yaml', 'ws', 'commander'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
        },
        // client-node's modules only declare classes and functions; without this, everything its
        // index re-exports (watch, cp, the proxy agents …) was kept and loaded by every command.
        treeshake: { moduleSideEffects: [{ test: /@kubernetes[\\/]client-node[\\/]/, sideEffects: false }] },
        output: {
          // client-node's generated API classes and models (megabytes of code) in a chunk of
          // their own: only the areas that use them load it, not every CLI command.
          codeSplitting: {
            includeDependenciesRecursively: false,
            groups: [{ name: 'kube-api', test: /@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/](apis|models|types)[\\/]/ }],
          },
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
