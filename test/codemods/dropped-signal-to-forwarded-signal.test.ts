import transform from '../../codemods/dropped-signal-to-forwarded-signal.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': ['7: a loop that never checks for cancellation', '14: a signal parameter nothing reads'],
});
