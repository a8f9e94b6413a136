// The CommonJS copy of the runtime lives under a package.json that says so: the root one says
// "type": "module", which would make Node load dist/cjs/**/*.js as ESM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cjsRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cjs');
mkdirSync(cjsRoot, { recursive: true });
writeFileSync(join(cjsRoot, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
