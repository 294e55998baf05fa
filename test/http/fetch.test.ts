import { describe } from 'vitest';
import { behaviourSuite } from './behaviour.js';
import { startFetch } from './support/fetch-servers.js';

describe('Fetch API: shared HTTP behaviour', () => behaviourSuite(startFetch));
