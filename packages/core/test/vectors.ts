// The MS-NLMP 4.2 vectors and friends, copied into the project from the shared vector set.
import vectors from './fixtures/msnlmp.json';
import { fromHex } from '../src/bytes';

export { vectors };
export const hex = fromHex;
export const common = vectors.common_4_2_1;
