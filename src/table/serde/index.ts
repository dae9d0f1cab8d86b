export {
  serializeValue,
  deserializeValue,
  compareValues,
  compareFloats,
  compareStrings,
  compareBytes,
  bigintToMinimalBytes,
  minimalBytesToBigint,
  uuidToBytes,
  bytesToUuid,
} from './single-value.ts';
