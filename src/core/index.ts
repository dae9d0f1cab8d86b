export { StrataError, messageOf, type StrataErrorCode } from './errors.ts';
export { ExactNumber, parseJson, parseJsonExact, stringifyJson, toBigInt } from './lossless-json.ts';
export { closestName, editDistance } from './closest-name.ts';
export { concatBytes } from './bytes.ts';
