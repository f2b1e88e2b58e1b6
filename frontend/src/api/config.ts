// Where the API lives: VITE_API_URL at build time, or the page's own origin (the dev/preview proxy).

/**
 * Turns the configured value into a base URL without a trailing slash. A bare host
 * (`taskflow-api.onrender.com`) means https, as on Render; empty means same origin.
 */
export function resolveApiBase(configured: string | undefined): string {
  const value = (configured ?? '').trim().replace(/\/+$/, '');
  if (value === '') return '';
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
}

const configuredBase = resolveApiBase(import.meta.env.VITE_API_URL as string | undefined);

/** The absolute URL the API's paths (`/tasks`, `/health`) are appended to. */
export function apiBaseUrl(): string {
  return configuredBase || window.location.origin;
}
