// The `--format` choices. Reporters return the whole output; like ESLint's CLI, the caller writes it
// and adds the final newline when the output is not empty.
import type { Reporter } from '../results.js';
import { github } from './github.js';
import { json } from './json.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';

export type FormatName = 'stylish' | 'json' | 'sarif' | 'github';

export const reporters: Record<FormatName, Reporter> = { stylish, json, sarif, github };
