import transform from '../../codemods/process-exit-to-lifecycle-shutdown.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': [
    '7: an exit in a request handler',
    '12: an exit in library code',
    '17: code after `process.exit()` would run once the exit is gone',
  ],
});
