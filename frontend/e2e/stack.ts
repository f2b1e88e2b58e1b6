// Starts what the e2e tests run against: the REAL backend on a throwaway SQLite file, and `vite preview` of the build.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FRONTEND_DIR = resolve(import.meta.dirname, '..');
export const BACKEND_DIR = resolve(FRONTEND_DIR, '..', 'backend');
const STARTUP_TIMEOUT_MS = 60_000;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${String(child.exitCode)}) before answering:\n${log()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500 || response.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${String(STARTUP_TIMEOUT_MS)} ms:\n${log()}`);
}

/** A child process in its own process group, so stopping it also stops what `uv run` started under it. */
class Managed {
  private output = '';
  readonly child: ChildProcess;

  constructor(command: string, args: string[], cwd: string, env: Record<string, string>) {
    this.child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  log = (): string => this.output;

  /** Waits until `url` answers; a process that never does is stopped before the error is thrown. */
  async started(url: string): Promise<void> {
    try {
      await waitForHttp(url, this.child, this.log);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => {
      child.once('exit', () => {
        r();
      });
    });
    try {
      process.kill(-child.pid, signal);
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface Backend {
  url: string;
  databaseUrl: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** A fresh SQLite database file path, removed by `removeDatabase`. */
export function tempDatabase(): { path: string; url: string } {
  const path = join(tmpdir(), `taskflow-e2e-${randomUUID()}.db`);
  return { path, url: `sqlite:///${path}` };
}

export function removeDatabase(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** Fills a database through the backend's own data tool (migrates it first). */
export function seedDatabase(databaseUrl: string, count: number): void {
  const result = spawnSync('uv', ['run', '--frozen', '--quiet', 'python', '-m', 'src.db_init', 'seed', '--count', String(count), '--random-seed', '7', '--database-env', 'E2E_DATABASE_URL'], {
    cwd: BACKEND_DIR,
    env: { ...process.env, E2E_DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`seeding failed (${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
}

export async function startBackend(databaseUrl: string, port?: number, env: Record<string, string> = {}): Promise<Backend> {
  const listenPort = port ?? (await freePort());
  const process_ = new Managed(
    'uv',
    ['run', '--frozen', '--quiet', 'uvicorn', 'src.app:app', '--host', '127.0.0.1', '--port', String(listenPort)],
    BACKEND_DIR,
    // INFO: the access log too, so a failed test's report shows which requests the backend answered.
    // Single-user mode unless a test asks for accounts (AUTH_REQUIRED=true, see accountsEnv).
    { DATABASE_URL: databaseUrl, ENVIRONMENT: 'test', LOG_LEVEL: 'INFO', AUTH_REQUIRED: 'false', ...env },
  );
  const url = `http://127.0.0.1:${String(listenPort)}`;
  await process_.started(`${url}/health`);
  return { url, databaseUrl, log: process_.log, stop: () => process_.stop() };
}

export interface Preview {
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

const VITE = join(FRONTEND_DIR, 'node_modules', '.bin', 'vite');

/**
 * `vite preview` of a build (dist/ by default), forwarding /tasks and /health to `apiTarget`
 * (same origin, as in development). A build made with VITE_API_URL calls its API directly instead.
 */
export async function startPreview(
  apiTarget: string,
  options: { outDir?: string; port?: number; csp?: string } = {},
): Promise<Preview> {
  const outDir = options.outDir ?? join(FRONTEND_DIR, 'dist');
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`${outDir} has no build: run \`npm run build\` first`);
  const port = options.port ?? (await freePort());
  const process_ = new Managed(
    VITE,
    ['preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    FRONTEND_DIR,
    { TASKFLOW_API_PROXY: apiTarget, ...(options.csp ? { TASKFLOW_PREVIEW_CSP: options.csp } : {}) },
  );
  const url = `http://127.0.0.1:${String(port)}`;
  await process_.started(url);
  return { url, log: process_.log, stop: () => process_.stop() };
}

/** A production build calling the API at `apiUrl` cross-origin, as the static site on Render does. */
export function buildFor(apiUrl: string, outDir: string): void {
  const result = spawnSync(VITE, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: FRONTEND_DIR,
    env: { ...process.env, VITE_API_URL: apiUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build failed (${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
}

export interface Stack {
  backend: Backend;
  preview: Preview;
  databasePath: string;
  /** Stops the backend and starts it again on the same port and database. */
  restartBackend: () => Promise<void>;
  /** The latest output of the backend (every one it has had) and of the preview. */
  logs: () => string;
  readonly stopped: boolean;
  stop: () => Promise<void>;
}

/** Every stack this worker process has started, oldest first (fixtures.ts reports their logs on a failure). */
export const stacksStarted: Stack[] = [];

/** A backend on `database` (a fresh temporary file by default) with `env` added to its settings, and a preview forwarding to it. */
export async function startStack(
  options: { seed?: number; database?: { path: string; url: string }; env?: Record<string, string> } = {},
): Promise<Stack> {
  const database = options.database ?? tempDatabase();
  if (options.seed) seedDatabase(database.url, options.seed);
  const port = await freePort();
  let backend = await startBackend(database.url, port, options.env);
  const backends = [backend];
  let preview: Preview;
  try {
    preview = await startPreview(backend.url);
  } catch (error) {
    // The processes run in groups of their own and would outlive the test run.
    await backend.stop();
    if (!options.database) removeDatabase(database.path);
    throw error;
  }
  let stopped = false;
  const stack: Stack = {
    get backend() {
      return backend;
    },
    preview,
    databasePath: database.path,
    restartBackend: async () => {
      await backend.stop();
      backend = await startBackend(database.url, port, options.env);
      backends.push(backend);
    },
    logs: () =>
      [...backends.map((each, n) => `---- backend ${String(n + 1)} of ${String(backends.length)} ----\n${each.log()}`), `---- preview ----\n${preview.log()}`].join(
        '\n',
      ),
    get stopped() {
      return stopped;
    },
    stop: async () => {
      stopped = true;
      await Promise.all([backend.stop(), preview.stop()]);
      removeDatabase(database.path);
    },
  };
  stacksStarted.push(stack);
  return stack;
}

export interface Postgres {
  /** The throwaway server's URL (an empty database, migrated by the first backend started on it). */
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * A throwaway PostgreSQL server, from the backend's own CLI (`python -m tests.support.postgres -- CMD`):
 * CMD prints the URL and waits on its stdin; closing stdin ends CMD, and the CLI then stops the server
 * and removes its files. Null when the machine has no PostgreSQL server binaries (the CLI said SKIPPED).
 */
export async function startPostgres(): Promise<Postgres | null> {
  const child = spawn(
    'uv',
    ['run', '--frozen', '--quiet', 'python', '-m', 'tests.support.postgres', '--', 'sh', '-c', 'echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"; read -r _'],
    // REQUIRE_POSTGRES is decided by the caller: without binaries the CLI must answer "skipped", not fail.
    { cwd: BACKEND_DIR, env: { ...process.env, REQUIRE_POSTGRES: '0' }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((r) => {
    child.once('exit', () => {
      r();
    });
  });
  const url = await new Promise<string | null>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`PostgreSQL did not start within ${String(STARTUP_TIMEOUT_MS)} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const found = /^TEST_DATABASE_URL=(\S+)$/m.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolveUrl(found[1]);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (/SKIPPED/.test(output) && code === 0) resolveUrl(null);
      else reject(new Error(`the PostgreSQL starter exited (${String(code)}) before giving a URL:\n${output}`));
    });
  });
  if (url === null) return null;
  return {
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      // The CLI stops the server itself; only a starter that hangs is killed (its group: uv, python, sh).
      const timer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
