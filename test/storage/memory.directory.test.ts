import { afterEach, beforeEach, describe, it } from 'vitest';
import { memoryDirectoryStore } from '../../src/stores/memory/index.js';
import { describeDirectoryContract } from '../../src/testing/index.js';

// No `faults` hook: the memory store has no driver, and each write checks and writes in one synchronous step.
describeDirectoryContract('memory', () => memoryDirectoryStore(), { runner: { describe, it, beforeEach, afterEach } });
