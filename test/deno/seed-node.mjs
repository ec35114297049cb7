// Node's reference for the Deno tests: the seed example on the built package (cpu),
// printed as JSON. Run by seed.test.ts with the same Node that runs npm.
import * as wg from '../../dist/index.js';
import { trainSeed } from './seed-example.js';

console.log(JSON.stringify(await trainSeed(wg, 'cpu')));
