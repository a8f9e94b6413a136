// ESLint's `json` formatter: the results as they are, so tools that read ESLint's JSON read ours.
import type { Reporter } from '../results.js';

export const json: Reporter = (results) => JSON.stringify(results);
