// Worker threads do not inherit the TypeScript loader of the test runner:
// this bootstrap registers tsx in the new thread, then loads the real
// worker module named in `workerData.entry`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
