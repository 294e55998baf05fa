import { describe } from 'vitest';
import { behaviourSuite } from './behaviour.js';
import { updateBehaviourSuite } from './behaviour-update.js';
import { startExpress } from './support/servers.js';

describe('Express: shared HTTP behaviour', () => behaviourSuite(startExpress));
describe('Express: shared HTTP behaviour of updates, enable/disable and expiring tokens', () =>
  updateBehaviourSuite(startExpress));
