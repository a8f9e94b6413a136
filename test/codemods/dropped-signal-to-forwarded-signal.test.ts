import transform from '../../codemods/dropped-signal-to-forwarded-signal.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': ['7: a loop that never checks for cancellation', '14: a signal parameter nothing reads'],
  'node-request.ts': ['20: `req.signal` does not exist before Node 26.1.0 and the handler names no response'],
});
