// Writes openapi.json, the OpenAPI 3.1 document of the operator surface (the tokens page's
// sign-in routes, the management API and RFC 7662 introspection), built from the route table.
// The package ships it as tokenward/openapi.json; test/http/openapi.test.ts fails when it is
// out of date. Run: `npm run openapi`.
import { writeFileSync } from 'node:fs';
import { operatorOpenApi } from '../src/web/openapi.js';

writeFileSync('openapi.json', `${JSON.stringify(operatorOpenApi(), null, 2)}\n`);
console.log('openapi: wrote openapi.json');
