// Generates src/api/schema.d.ts from the backend's OpenAPI document (`write`), or fails if it is stale (`check`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backend = resolve(frontend, '..', 'backend');
const target = join(frontend, 'src', 'api', 'schema.d.ts');
const HEADER =
  '// GENERATED from the backend OpenAPI document by `npm run api:types`; do not edit.\n' +
  '// `npm run api:check` (run by scripts/test-frontend.sh) fails when this file is out of date.\n\n';

/**
 * The backend's OpenAPI document, produced by the app itself (no server needed). With accounts on
 * (AUTH_REQUIRED=true): in single-user mode the accounts routes are not served, nor documented.
 */
function backendOpenApi() {
  const code = 'import json; from src.app import app; print(json.dumps(app.openapi(), sort_keys=True))';
  const result = spawnSync('uv', ['run', '--frozen', '--quiet', 'python', '-c', code], {
    cwd: backend,
    env: { ...process.env, AUTH_REQUIRED: 'true' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    throw new Error(`api-types: could not read the backend's OpenAPI document (exit ${String(result.status)})`);
  }
  return JSON.parse(result.stdout);
}

async function generate() {
  // Fields with a server default (status, priority) are optional in requests, as the API treats them.
  const ast = await openapiTS(backendOpenApi(), { defaultNonNullable: false });
  return HEADER + astToString(ast);
}

const mode = process.argv[2];
if (mode === 'write') {
  writeFileSync(target, await generate());
  console.log(`api-types: wrote ${target}`);
} else if (mode === 'check') {
  const dir = mkdtempSync(join(tmpdir(), 'taskflow-api-types-'));
  try {
    const fresh = join(dir, 'schema.d.ts');
    writeFileSync(fresh, await generate());
    if (readFileSync(fresh, 'utf8') === readFileSync(target, 'utf8')) {
      console.log('api-types: src/api/schema.d.ts matches the backend OpenAPI document');
    } else {
      spawnSync('diff', ['-u', target, fresh], { stdio: 'inherit' });
      console.error('api-types: src/api/schema.d.ts is STALE: the backend schema changed. Run `npm run api:types` in frontend/ and commit.');
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  console.error('usage: node scripts/api-types.mjs write|check');
  process.exitCode = 2;
}
