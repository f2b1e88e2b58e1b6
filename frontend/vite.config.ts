/// <reference types="vitest/config" />
// Vite (dev server, preview, build) and Vitest configuration for the TaskFlow web app.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Where the dev and preview servers forward API calls when the app talks to its own origin
// (VITE_API_URL unset). The e2e suite points each preview server at its own throwaway backend.
const apiProxyTarget = process.env.TASKFLOW_API_PROXY ?? 'http://localhost:8000';

// Only the API's paths are forwarded; everything else is the single-page app.
const apiPaths = ['/tasks', '/health'];
const proxy = Object.fromEntries(apiPaths.map((path) => [path, { target: apiProxyTarget, changeOrigin: true }]));

// The e2e suite serves a build with the static site's production CSP (from render.yaml) to prove the app obeys it.
const previewCsp = process.env.TASKFLOW_PREVIEW_CSP;

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, proxy },
  preview: { proxy, headers: previewCsp ? { 'Content-Security-Policy': previewCsp } : {} },
  build: { sourcemap: true },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
