import transform from '../../codemods/unclosed-resource-to-lifecycle-adopt.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': ['3: `cache.end()` already runs off the shutdown path', '10: opened on every call of `countOrders`'],
});
