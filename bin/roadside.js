#!/usr/bin/env node
// Entry of the `roadside` command: runs the bundled CLI from out/main.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('roadside: the CLI is not built yet. Run `npm run build` in ' + root + '\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
