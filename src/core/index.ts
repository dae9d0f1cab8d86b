export { StrataError, messageOf, type StrataErrorCode } from './errors.ts';
export { ExactNumber, parseJson, parseJsonExact, stringifyJson, toBigInt } from './lossless-json.ts';
export { closestName, editDistance } from './closest-name.ts';
export { concatBytes } from './bytes.ts';
export {
  EditedText,
  identifierValue,
  rewriteTimeTravel,
  significant,
  splitStatements,
  tokenize,
  type Edit,
  type StatementText,
  type Token,
  type TokenKind,
} from './sql-text.ts';
export { freePort } from './free-port.ts';
export { parseDuration } from './duration.ts';
export { SeededRandom } from './seeded-random.ts';
