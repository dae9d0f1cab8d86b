/**
 * Property tests over random policies. fast-check is not installed, so this uses a small seeded
 * generator: every run checks the same cases, and a failure prints the seed and the case to replay.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Grant, Grantee, MaskFunction, MaskPolicy, PolicySnapshot, PrincipalContext, Privilege, RowFilter, Securable, TagAssignment } from '../model.ts';
import { PRIVILEGES } from '../model.ts';
import { decideGrantOption } from './decide-grant-option.ts';
import { decidePrivilege, visibleTables } from './decide-privilege.ts';
import { decideRead } from './decide-read.ts';
import type { TableShape } from './decisions.ts';
import { mask, onColumn, onTable, onTags, principal, readable, rowFilter, shape, snapshot, tags } from './decision-fixtures.ts';
import { maskStrictness } from './mask-precedence.ts';

const RUNS = 300;

/** mulberry32: tiny, fast, good enough to spread cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DATABASES = ['ads', 'crm'];
const TABLES = ['events', 'people'];
const COLUMNS = ['id', 'msisdn', 'amount'];
const KEYS = ['domain', 'pii'];
const VALUES = ['x', 'y'];
const GROUPS = ['g1', 'g2'];
const ROLES = ['r1', 'r2'];
const NAMES = ['alice', 'bob'];
const MASK_FUNCTIONS: MaskFunction[] = [
  { kind: 'null' },
  { kind: 'redact' },
  { kind: 'hash' },
  { kind: 'expression', sql: 'value' },
  { kind: 'partial', keepLast: 2 },
  { kind: 'bucket', width: 10 },
  { kind: 'round', digits: 0 },
];

class Gen {
  #next: () => number;
  #id = 0;
  constructor(seed: number) {
    this.#next = random(seed);
  }
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('empty pick');
    return item;
  }
  many<T>(max: number, make: () => T): T[] {
    return Array.from({ length: this.int(max + 1) }, make);
  }
  grantee(): Grantee {
    const kind = this.pick(['principal', 'group', 'role'] as const);
    return { kind, name: this.pick(kind === 'principal' ? NAMES : kind === 'group' ? GROUPS : ROLES) };
  }
  expressionText(): string {
    const atom = (): string => `${this.pick(KEYS)}=${this.pick(VALUES)}`;
    return this.int(3) === 0 ? atom() : `${atom()} ${this.pick(['AND', 'OR'])} ${atom()}`;
  }
  securable(): Securable {
    switch (this.int(5)) {
      case 0:
        return { kind: 'catalog' };
      case 1:
        return { kind: 'database', database: this.pick(DATABASES) };
      case 2:
        return { kind: 'table', database: this.pick(DATABASES), table: this.pick(TABLES) };
      case 3:
        return { kind: 'column', database: this.pick(DATABASES), table: this.pick(TABLES), column: this.pick(COLUMNS) };
      default:
        return tags(this.expressionText());
    }
  }
  grant(): Grant {
    const securable = this.securable();
    const privilege: Privilege = securable.kind === 'column' ? 'SELECT' : this.pick(PRIVILEGES);
    return { id: `g${this.#id++}`, privilege, securable, grantee: this.grantee(), withGrantOption: this.int(2) === 0, grantedBy: 'admin', createdAt: 0 };
  }
  tag(): TagAssignment {
    const database = this.pick(DATABASES);
    const table = this.pick(TABLES);
    const target =
      this.int(3) === 0
        ? ({ kind: 'database', database } as const)
        : this.int(2) === 0
          ? ({ kind: 'table', database, table } as const)
          : ({ kind: 'column', database, table, column: this.pick(COLUMNS) } as const);
    return { target, key: this.pick(KEYS), value: this.pick(VALUES) };
  }
  mask(): MaskPolicy {
    const targets = this.many(2, () => (this.int(2) === 0 ? onColumn(this.pick(DATABASES), this.pick(TABLES), this.pick(COLUMNS)) : onTags(this.expressionText())));
    return mask(`m${this.#id++}`, this.pick(MASK_FUNCTIONS), targets, this.many(1, () => this.grantee()));
  }
  filter(): RowFilter {
    const target = this.int(2) === 0 ? onTable(this.pick(DATABASES), this.pick(TABLES)) : onTags(this.expressionText());
    return rowFilter(`f${this.#id++}`, target, 'true', { appliesTo: this.many(1, () => this.grantee()), exempt: this.many(1, () => this.grantee()) });
  }
  snapshot(): PolicySnapshot {
    return snapshot({
      grants: this.many(8, () => this.grant()),
      tags: this.many(6, () => this.tag()),
      masks: this.many(3, () => this.mask()),
      rowFilters: this.many(3, () => this.filter()),
    });
  }
  principal(): PrincipalContext {
    return principal(this.pick(NAMES), { groups: this.many(1, () => this.pick(GROUPS)), roles: this.many(2, () => this.pick(ROLES)) });
  }
}

const SHAPES: TableShape[] = DATABASES.flatMap((d) => TABLES.map((t) => shape(d, t, COLUMNS)));
const TARGETS = [{}, ...DATABASES.map((database) => ({ database })), ...SHAPES.map((s) => ({ database: s.database, table: s.table }))];

function forAll(name: string, body: (gen: Gen) => void): void {
  test(name, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      try {
        body(new Gen(seed));
      } catch (error) {
        throw new Error(`property "${name}" failed at seed ${seed}: ${String(error)}`, { cause: error });
      }
    }
  });
}

describe('decision properties (seeded random policies)', () => {
  forAll('adding a grant never removes access', (gen) => {
    const before = gen.snapshot();
    const who = gen.principal();
    const after = { ...before, grants: [...before.grants, gen.grant()] };
    for (const table of SHAPES) {
      const was = readable(decideRead(before, who, table));
      const now = readable(decideRead(after, who, table));
      assert.ok(was.every((c) => now.includes(c)), `${table.database}.${table.table}: ${was} ⊄ ${now}`);
    }
    for (const privilege of PRIVILEGES) {
      for (const on of TARGETS) {
        if (decidePrivilege(before, who, privilege, on).allowed) assert.ok(decidePrivilege(after, who, privilege, on).allowed, `${privilege} ${JSON.stringify(on)}`);
      }
    }
    const securable = gen.securable();
    const privilege = securable.kind === 'column' ? 'SELECT' : gen.pick(PRIVILEGES);
    if (decideGrantOption(before, who, privilege, securable).allowed) assert.ok(decideGrantOption(after, who, privilege, securable).allowed);
    assert.ok(visibleTables(after, who, SHAPES).length >= visibleTables(before, who, SHAPES).length);
  });

  forAll('adding a mask never reveals more', (gen) => {
    const before = gen.snapshot();
    const who = gen.principal();
    const after = { ...before, masks: [...before.masks, gen.mask()] };
    for (const table of SHAPES) {
      const was = decideRead(before, who, table);
      const now = decideRead(after, who, table);
      assert.deepEqual(readable(now), readable(was));
      was.columns.forEach((column, i) => {
        const next = now.columns[i];
        if (!column.mask) return;
        assert.ok(next?.mask, `${column.name} lost its mask`);
        assert.ok(maskStrictness(next.mask.function) <= maskStrictness(column.mask.function), `${column.name} got a looser mask`);
      });
    }
  });

  forAll('adding a row filter never reveals more', (gen) => {
    const before = gen.snapshot();
    const who = gen.principal();
    const after = { ...before, rowFilters: [...before.rowFilters, gen.filter()] };
    for (const table of SHAPES) {
      const was = decideRead(before, who, table);
      const now = decideRead(after, who, table);
      assert.deepEqual(readable(now), readable(was));
      const names = now.rowFilters.map((f) => f.name);
      assert.ok(was.rowFilters.every((f) => names.includes(f.name)));
    }
  });

  forAll('administrators read everything raw whatever the policies', (gen) => {
    const admin = { ...gen.principal(), administrator: true };
    const s = gen.snapshot();
    for (const table of SHAPES) {
      const d = decideRead(s, admin, table);
      assert.deepEqual(readable(d), COLUMNS);
      assert.ok(d.columns.every((c) => c.mask === undefined));
      assert.deepEqual(d.rowFilters, []);
    }
  });

  forAll('caches never change an answer: a shared index decides like a fresh one', (gen) => {
    const shared = gen.snapshot();
    const fresh = (): PolicySnapshot => ({ ...shared });
    for (const who of [gen.principal(), gen.principal(), gen.principal()]) {
      for (const table of SHAPES) {
        assert.deepEqual(decideRead(shared, who, table), decideRead(fresh(), who, table));
        assert.deepEqual(decidePrivilege(shared, who, 'DESCRIBE', table), decidePrivilege(fresh(), who, 'DESCRIBE', table));
      }
      assert.deepEqual(visibleTables(shared, who, SHAPES), visibleTables(fresh(), who, SHAPES));
    }
  });

  forAll('a readable column always has a grant and a hidden one a reason', (gen) => {
    const s = gen.snapshot();
    const who = gen.principal();
    for (const table of SHAPES) {
      for (const c of decideRead(s, who, table).columns) {
        if (c.readable) assert.ok(c.grants.length > 0 && c.reason === undefined);
        else assert.ok(c.grants.length === 0 && c.mask === undefined && (c.reason ?? '').startsWith('no SELECT grant covers column'));
      }
    }
  });
});
