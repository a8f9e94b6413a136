import transform from '../../codemods/websocket-server-to-lifecycle-add-server.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': ['9: a hand-written `upgrade` handler', '15: the server is not kept'],
});
