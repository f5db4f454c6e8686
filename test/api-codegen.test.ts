/**
 * client/generated/ is generated from schema/schema.graphql and the queries in client/:
 * fail when it is stale. Codegen runs as its own process (its CLI is partly ESM, which
 * jest's module loader cannot require), writing into a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

it('client/generated/ matches codegen output (run `npm run codegen` after changing the schema or client queries)', () => {
  const out = mkdtempSync(join(tmpdir(), 'refer-codegen-'));
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/graphql-codegen'), ['--config', 'codegen.ts', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, CODEGEN_OUTPUT_DIR: `${out}/` },
      stdio: 'pipe',
    });
    const generated = readdirSync(out).sort();
    expect(generated).toEqual(readdirSync(join(ROOT, 'client/generated')).sort());
    expect(generated).toContain('graphql.ts');
    const stale = generated.filter((f) => readFileSync(join(out, f), 'utf8') !== readFileSync(join(ROOT, 'client/generated', f), 'utf8'));
    expect(stale).toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
