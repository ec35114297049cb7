// Node's reference for the Deno CNN parity test: the parity CNN on the built package
// (cpu), printed as JSON. Run by cnn.test.ts with the same Node that runs npm.
import * as wg from '../../dist/index.js';
import { trainParityCnn } from '../helpers/cnn-parity.js';

console.log(JSON.stringify(await trainParityCnn(wg, 'cpu')));
