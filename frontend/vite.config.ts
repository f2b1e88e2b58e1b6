/// <reference types="vitest/config" />
// Vite (dev server, preview, build) and Vitest configuration for the TaskFlow web app.
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin, type ProxyOptions } from 'vite';

// Where the dev and preview servers forward API calls when the app talks to its own origin
// (VITE_API_URL unset). The e2e suite points each preview server at its own throwaway backend.
const apiProxyTarget = process.env.TASKFLOW_API_PROXY ?? 'http://localhost:8000';

// Only the API's paths are forwarded; everything else is the single-page app (its pages are /, /join,
// /people and /tokens, none of them an API path).
const apiPaths = ['/tasks', '/health', '/auth', '/users', '/invitations', '/events'];
const proxy: Record<string, ProxyOptions> = Object.fromEntries(apiPaths.map((path) => [path, { target: apiProxyTarget, changeOrigin: true }]));
// `GET /` is both the page and the API's description of itself (its mode): the app asks for JSON, a
// browser opening the page asks for HTML and gets the app.
proxy['^/$'] = {
  target: apiProxyTarget,
  changeOrigin: true,
  bypass: (request) => ((request.headers.accept ?? '').includes('application/json') ? undefined : '/index.html'),
};

// The e2e suite serves a build with the static site's production CSP (from render.yaml) to prove the app obeys it.
const previewCsp = process.env.TASKFLOW_PREVIEW_CSP;

/**
 * The origin a build calls, from VITE_API_URL read as src/api/config.ts reads it (a bare host
 * means https); null when unset (the app calls its own origin). A value that is no URL fails the
 * build rather than shipping an app that cannot reach its API.
 */
export function apiOrigin(configured: string | undefined): string | null {
  const value = (configured ?? '').trim().replace(/\/+$/, '');
  if (value === '') return null;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  try {
    return new URL(url).origin;
  } catch {
    throw new Error(`VITE_API_URL is not a URL: ${JSON.stringify(configured)}`);
  }
}

/**
 * Writes `connect-src 'self' <API origin>` into the built index.html as the page's own CSP, so the
 * policy follows the API's real URL (a suffixed Render service name, a custom domain) instead of a
 * host fixed in render.yaml. The static site's header policy still applies (a browser enforces
 * both): it sets everything else and leaves connect-src to this one. Build only: the dev server
 * proxies the API through its own origin and talks to the browser over a websocket.
 */
export function apiConnectPolicy(origin: string | null): Plugin {
  const policy = ['connect-src', "'self'", ...(origin ? [origin] : [])].join(' ');
  return {
    name: 'taskflow-api-connect-policy',
    apply: 'build',
    transformIndexHtml: () => [
      // First in <head>: a policy in a meta element governs only what comes after it.
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig(({ mode }) => {
  // The same VITE_ variables the bundle gets (the environment, then .env files).
  const env = loadEnv(mode, process.cwd(), 'VITE_');
  return {
    plugins: [react(), apiConnectPolicy(apiOrigin(env.VITE_API_URL))],
    server: { port: 5173, proxy },
    preview: { proxy, headers: previewCsp ? { 'Content-Security-Policy': previewCsp } : {} },
    build: { sourcemap: true },
    test: {
      environment: 'jsdom',
      setupFiles: ['./src/test/setup.ts'],
      include: ['src/**/*.test.{ts,tsx}'],
      restoreMocks: true,
    },
  };
});
