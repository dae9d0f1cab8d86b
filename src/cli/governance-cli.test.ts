import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseJson } from '../core/index.ts';
import { AUDIT_TABLE } from '../governance/index.ts';
import { runCli, type CliRun } from './cli-test-kit.ts';

let root: string;
let home: string;
const strata = (args: string[], env?: Record<string, string>) => runCli(['--home', home, ...args], env ? { env } : {});
/** The CLI configured to act as `principal` (as if strata.yaml said so). */
const as = (principal: string, args: string[]) => strata(args, { STRATA_PRINCIPAL: principal });
const ok = (run: CliRun): CliRun => {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
};
const jsonLines = (run: CliRun): Record<string, unknown>[] =>
  ok(run)
    .stdout.trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => parseJson(l) as Record<string, unknown>);
const json = (run: CliRun): Record<string, unknown> => jsonLines(run)[0] ?? {};

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-cli-governance-'));
  home = join(root, 'home');
  ok(await runCli(['--home', home, 'init']));
  ok(
    await strata([
      'sql',
      "CREATE DATABASE ads; CREATE TABLE ads.events AS SELECT * FROM (VALUES (1, 'eu', 'alice@example.com'), (2, 'us', 'bob@example.com'), (3, 'eu', 'carol@example.com')) AS t(id, region, email)",
    ]),
  );
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('governance commands (real CLI)', () => {
  test('init makes the configured principal an administrator; principals, groups and roles have a lifecycle', async () => {
    const admin = json(await strata(['principal', 'show', 'admin', '--format', 'json']));
    assert.equal(admin['administrator'], true);
    assert.deepEqual((admin['roles'] as { name: string }[]).map((r) => r.name), ['admin']);

    ok(await strata(['principal', 'create', 'alice', '--attr', 'region=eu', '--attr', 'team=ads']));
    ok(await strata(['group', 'create', 'eu-team']));
    ok(await strata(['group', 'add', 'eu-team', 'alice']));
    ok(await strata(['role', 'create', 'analyst']));
    ok(await strata(['role', 'grant', 'analyst', '--to-group', 'eu-team']));
    ok(await strata(['principal', 'set-attr', 'alice', 'team=', 'tier=gold']));

    const alice = json(await strata(['principal', 'show', 'alice', '--format', 'json']));
    assert.equal(alice['administrator'], false);
    assert.deepEqual(alice['groups'], ['eu-team']);
    assert.deepEqual(alice['roles'], [{ name: 'analyst', administrator: false, direct: false, viaGroups: ['eu-team'] }]);
    assert.deepEqual(alice['attributes'], { region: 'eu', tier: 'gold' }, 'set-attr merges; key= removes the key');
    assert.deepEqual(jsonLines(await strata(['group', 'list', '--format', 'json'])), [{ group: 'eu-team', members: ['alice'] }]);

    const shown = ok(await strata(['principal', 'show', 'alice']));
    assert.match(shown.stdout, /analyst \| false\s+\| via group eu-team/);

    ok(await strata(['principal', 'create', 'temp', '--service']));
    ok(await strata(['principal', 'disable', 'temp']));
    const disabledQuery = await strata(['sql', '--as', 'temp', 'SELECT 1']);
    assert.equal(disabledQuery.code, 6, 'a disabled principal cannot run SQL');
    ok(await strata(['principal', 'drop', 'temp']));
    assert.equal((await strata(['principal', 'show', 'temp'])).code, 3);
    assert.equal((await strata(['principal', 'drop', 'admin'])).code, 2, 'you cannot drop the principal you run as');
  });

  test('tokens: printed once with a warning, listed without the secret, revoked', async () => {
    const created = json(await strata(['token', 'create', 'alice', '--expires-in', '12h', '--description', 'ci', '--format', 'json']));
    const token = String(created['token']);
    assert.match(token, /^strata_/);
    const listed = await strata(['token', 'list', 'alice', '--format', 'json']);
    assert.ok(!listed.stdout.includes(token), 'token list never shows the token');
    const [info] = jsonLines(listed);
    assert.equal(info?.['id'], created['id']);
    assert.equal(info?.['state'], 'active');
    assert.equal(Date.parse(String(info?.['expires_at'])) - Date.parse(String(info?.['created_at'])), 12 * 3_600_000);
    ok(await strata(['token', 'revoke', String(created['id'])]));
    assert.equal(jsonLines(await strata(['token', 'list', '--format', 'json']))[0]?.['state'], 'revoked');
    const warned = ok(await strata(['token', 'create', 'alice']));
    assert.match(warned.stderr, /cannot be shown again/);
    assert.equal((await strata(['token', 'create', 'alice', '--expires-in', '3 weeks'])).code, 2);
  });

  test('--as: an administrator may act as someone; a non-administrator is refused with exit 6', async () => {
    const refused = await strata(['--as', 'alice', 'principal', 'create', 'mallory']);
    assert.equal(refused.code, 6);
    assert.match(refused.stderr, /alice is not one/);
    const borrowed = await as('alice', ['--as', 'admin', 'principal', 'list']);
    assert.equal(borrowed.code, 6, 'a non-administrator cannot borrow an administrator name with --as');
    assert.match(borrowed.stderr, /Only administrators may act as another principal/);
    const self = await as('alice', ['access', 'show', 'alice']);
    assert.equal(self.code, 0, 'a principal may inspect its own access');
    assert.equal((await strata(['principal', 'show', 'mallory'])).code, 3, 'the refused command changed nothing');
  });

  let grantId = '';
  test('grant + mask + row filter: sql --as alice sees masked values and only its rows', async () => {
    ok(await strata(['mask', 'create', 'email_mask', '--kind', 'partial', '--keep-last', '4']));
    ok(await strata(['mask', 'attach', 'email_mask', '--column', 'ads.events.email']));
    assert.equal((await strata(['mask', 'attach', 'email_mask', '--column', 'ads.events.mail'])).code, 2, 'the column must exist');
    ok(await strata(['row-filter', 'create', 'by_region', '--table', 'ads.events', '--predicate', "region = current_principal_attribute('region')"]));
    const granted = ok(await strata(['grant', 'SELECT', 'ON', 'ads.events', 'TO', 'ROLE', 'analyst']));
    assert.match(granted.stdout, /Granted SELECT on TABLE ads\.events to ROLE analyst/);

    const rows = jsonLines(await strata(['sql', '--as', 'alice', 'SELECT id, region, email FROM ads.events ORDER BY id', '--format', 'json']));
    assert.deepEqual(rows, [
      { id: 1, region: 'eu', email: '*************.com' },
      { id: 3, region: 'eu', email: '*************.com' },
    ]);
    const raw = jsonLines(await strata(['sql', 'SELECT email FROM ads.events ORDER BY id', '--format', 'json']));
    assert.equal(raw.length, 3, 'the administrator is not filtered');
    assert.equal(raw[0]?.['email'], 'alice@example.com', 'nor masked');

    const shown = json(await strata(['access', 'show', 'alice', '--format', 'json']));
    const grants = shown['grants'] as { id: string; via: string }[];
    assert.equal(grants.length, 1);
    assert.equal(grants[0]?.via, 'role analyst (via group eu-team)');
    grantId = grants[0]?.id ?? '';
  });

  test('access show and access explain name the grant, the mask and the bound row filter', async () => {
    const shown = ok(await strata(['access', 'show', 'alice']));
    assert.ok(shown.stdout.includes(grantId), 'access show names the grant id');
    assert.match(shown.stdout, /ads\.events\.email \| email_mask \| partial\(keep_last=4\) \| applies/);
    assert.match(shown.stdout, /region = 'eu'/, 'the row filter is bound to alice');

    const explained = ok(await strata(['access', 'explain', 'alice', 'SELECT id, email FROM ads.events']));
    assert.match(explained.stdout, /decision: {2}ALLOWED/);
    assert.match(explained.stdout, new RegExp(`email\\s+\\| string \\| masked\\s+\\| ${grantId} \\| email_mask: partial\\(keep_last=4\\)\\s+\\| column`));
    assert.match(explained.stdout, /by_region\s+\| table .*\| region = 'eu'/);

    const asJson = await strata(['access', 'explain', 'alice', 'SELECT email FROM ads.events', '--format', 'json']);
    assert.doesNotMatch(asJson.stdout, /hashKey/, 'mask secrets never leave');
    const explanation = json(asJson) as { allowed: boolean; reads: { columns: { name: string; mask?: { policy: string } }[]; rowFilters: { boundPredicate: string }[] }[] };
    assert.equal(explanation.allowed, true);
    assert.equal(explanation.reads[0]?.columns.find((c) => c.name === 'email')?.mask?.policy, 'email_mask');
    assert.equal(explanation.reads[0]?.rowFilters[0]?.boundPredicate, "region = 'eu'");

    const denied = await as('alice', ['access', 'explain', 'admin', 'SELECT 1']);
    assert.equal(denied.code, 6, 'only administrators explain someone else');
  });

  test('tags on objects that must exist, and a tag-based grant decided per column', async () => {
    ok(await strata(['tag', 'create-key', 'pii', '--values', 'true,false']));
    ok(await strata(['tag', 'set', 'ads.events', 'pii=false']));
    ok(await strata(['tag', 'set', 'ads.events.email', 'pii=true']));
    assert.equal((await strata(['tag', 'set', 'ads.events.nope', 'pii=true'])).code, 2);
    assert.deepEqual(
      jsonLines(await strata(['tag', 'list', 'ads.events', '--format', 'json'])).map((r) => `${String(r['target'])} ${String(r['key'])}=${String(r['value'])}`),
      ['ads.events pii=false', 'ads.events.email pii=true'],
    );
    ok(await strata(['principal', 'create', 'bob', '--attr', 'region=us']));
    ok(await strata(['grant', 'SELECT', 'ON', 'TAGS', 'pii=false', 'TO', 'USER', 'bob']));
    const rows = jsonLines(await strata(['sql', '--as', 'bob', 'SELECT * FROM ads.events', '--format', 'json']));
    assert.deepEqual(rows, [{ id: 2, region: 'us' }], 'email (pii=true) is not covered; the filter keeps us rows');
  });

  test('audit lists the denied attempt; audit verify is ok, and exits 5 once a record is tampered with', async () => {
    const denied = jsonLines(await strata(['audit', '--decision', 'denied', '--format', 'json']));
    const attempt = denied.find((r) => r['action'] === 'principal create');
    assert.equal(attempt?.['principal'], 'alice');
    assert.equal(attempt?.['acting_as'], 'admin');
    assert.equal(attempt?.['statement'], 'strata principal create mallory');
    const last = jsonLines(await strata(['audit', '--limit', '2', '--format', 'json']));
    assert.equal(last.length, 2);
    assert.ok(Number(last[0]?.['seq']) < Number(last[1]?.['seq']), 'newest last');
    assert.equal((await as('alice', ['audit'])).code, 6);

    const verified = json(await strata(['audit', 'verify', '--format', 'json']));
    assert.equal(verified['ok'], true);
    assert.ok(Number(verified['records']) > 10);

    const db = new Database(join(home, 'catalog.db'));
    try {
      db.prepare(`UPDATE ${AUDIT_TABLE} SET decision = 'allowed' WHERE seq = ?`).run(Number(attempt?.['seq']));
    } finally {
      db.close();
    }
    const tampered = await strata(['audit', 'verify']);
    assert.equal(tampered.code, 5);
    assert.match(tampered.stderr, new RegExp(`record ${String(attempt?.['seq'])}\\b.*\\[VALIDATION_FAILED\\]`));
  });

  test('the audit log is a governed table: a granted principal with a row filter sees only its own records', async () => {
    ok(await strata(['grant', 'SELECT', 'ON', 'system.audit_log', 'TO', 'USER', 'alice']));
    ok(await strata(['row-filter', 'create', 'own_audit', '--table', 'system.audit_log', '--predicate', 'principal = current_principal()', '--exempt', 'role:admin']));
    const mine = jsonLines(await as('alice', ['audit', '--format', 'json']));
    assert.ok(mine.length > 0, 'alice has audit records');
    assert.ok(mine.every((r) => r['principal'] === 'alice'), 'only her own records');
    const all = jsonLines(await strata(['audit', '--format', 'json']));
    assert.ok(all.some((r) => r['principal'] !== 'alice'), 'the administrator still sees everyone');
    const viaSql = jsonLines(await as('alice', ['sql', 'SELECT DISTINCT principal FROM system.audit_log', '--format', 'json']));
    assert.deepEqual(viaSql, [{ principal: 'alice' }]);
  });
});
