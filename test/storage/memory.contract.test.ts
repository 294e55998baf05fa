import { memoryRepository } from '../../src/memory/index.js';
import { describeRepositoryContract } from '../../src/testing/index.js';

describeRepositoryContract('memory', () => memoryRepository());
