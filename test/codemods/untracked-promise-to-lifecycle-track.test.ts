import transform from '../../codemods/untracked-promise-to-lifecycle-track.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': [
    '4: `setTimeout` drops the promise of its callback',
    '7: `forEach` over something that is not an array',
    '10: a branch of this expression drops a promise',
  ],
});
