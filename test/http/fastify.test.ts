import { describe } from 'vitest';
import { behaviourSuite } from './behaviour.js';
import { startFastify } from './support/servers.js';

describe('Fastify: shared HTTP behaviour', () => behaviourSuite(startFastify));
