import { describe } from 'vitest';
import { behaviourSuite } from './behaviour.js';
import { startExpress } from './support/servers.js';

describe('Express: shared HTTP behaviour', () => behaviourSuite(startExpress));
