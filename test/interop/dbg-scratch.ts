import { INTEROP_CASES } from '/work/main/test/interop/interop-cases.ts';
import { openStrataHome } from '/work/main/src/catalog/index.ts';
import { mkdtempSync } from 'node:fs';
const home = await openStrataHome(mkdtempSync('/tmp/dbg-'));
await home.catalog.createNamespace(['interop']);
let n = 0;
for (const c of INTEROP_CASES) {
  try { await c.build(home.catalog, `interop.t${n++}`); console.log('ok', c.name); } catch (e) { console.log('FAIL', c.name, (e as Error).message); }
}
await home.close();
