import transform from '../../codemods/store-close-to-close-after-drain.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': [
    '15: the close and the drain (line 16) are not statements of one block',
    '27: cannot move the close after line 30: the statements between them can return, throw or exit',
    '40: `preClose` does more than close `flags`',
  ],
});
