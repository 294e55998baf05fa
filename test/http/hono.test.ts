import { describe } from 'vitest';
import { behaviourSuite } from './behaviour.js';
import { startHono } from './support/fetch-servers.js';

describe('Hono: shared HTTP behaviour', () => behaviourSuite(startHono));
