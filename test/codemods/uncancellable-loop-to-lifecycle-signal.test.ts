import transform from '../../codemods/uncancellable-loop-to-lifecycle-signal.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': [
    '8: an interval per request or event',
    '13: the interval handle goes somewhere this codemod does not follow',
  ],
});
