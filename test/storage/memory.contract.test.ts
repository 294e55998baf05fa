import { afterEach, beforeEach, describe, it } from 'vitest';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { describeRepositoryContract } from '../../src/testing/index.js';

// No `faults` hook: the memory store has no driver, and each of its calls does its checks and
// writes synchronously in one step, with nothing in between that could fail (docs/storage.md).
describeRepositoryContract('memory', () => memoryRepository(), { runner: { describe, it, beforeEach, afterEach } });
