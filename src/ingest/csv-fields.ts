/**
 * Splits one CSV record (RFC 4180) into fields. A quoted field may contain the delimiter, line
 * breaks and doubled quotes (`""` → `"`). An unquoted empty field is `null`; a quoted empty field
 * (`""`) is the empty string — CSV's only way to tell the two apart.
 */
import { BadRecord } from './bad-record.ts';

export function splitCsvRecord(text: string, delimiter = ','): (string | null)[] {
  const fields: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  while (true) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      while (true) {
        const q = text.indexOf('"', i);
        if (q === -1) throw new BadRecord('CSV_UNTERMINATED_QUOTE', `a quoted field (field ${fields.length + 1}) is never closed`);
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (text[i] !== delimiter) throw new BadRecord('CSV_BAD_QUOTE', `text after the closing quote of field ${fields.length}`);
      i += 1;
    } else {
      const end = text.indexOf(delimiter, i);
      const value = end === -1 ? text.slice(i) : text.slice(i, end);
      if (value.includes('"')) throw new BadRecord('CSV_BAD_QUOTE', `a quote inside unquoted field ${fields.length + 1}; quote the whole field and double inner quotes`);
      fields.push(value === '' ? null : value);
      if (end === -1) return fields;
      i = end + 1;
    }
  }
}
