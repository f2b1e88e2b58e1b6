import { describe, expect, it } from 'vitest';
import { resolveApiBase } from './config';

describe('resolveApiBase', () => {
  it('treats a bare host as https, as on Render', () => {
    expect(resolveApiBase('taskflow-api.onrender.com')).toBe('https://taskflow-api.onrender.com');
  });
  it('keeps an explicit scheme and port, without a trailing slash', () => {
    expect(resolveApiBase('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000');
  });
  it('means same origin (the dev proxy) when unset or blank', () => {
    expect(resolveApiBase(undefined)).toBe('');
    expect(resolveApiBase('  ')).toBe('');
  });
});
