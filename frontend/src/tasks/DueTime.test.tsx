import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatDue } from './dates';
import { DueTime } from './DueTime';

describe('DueTime', () => {
  it('shows a day as its date, with the day as its machine-readable value', () => {
    render(<DueTime due={{ due_date: '2026-12-01T00:00:00Z', due_all_day: true }} />);
    const time = screen.getByText(formatDue({ due_date: '2026-12-01T00:00:00Z', due_all_day: true }));
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('datetime', '2026-12-01');
    expect(time.textContent).not.toMatch(/\d:\d\d/);
  });

  it('shows an instant with its time', () => {
    render(<DueTime due={{ due_date: '2026-12-01T09:30:00Z', due_all_day: false }} />);
    const time = screen.getByText(/\d:\d\d/);
    expect(time).toHaveAttribute('datetime', '2026-12-01T09:30:00Z');
  });

  it('shows nothing without a due date', () => {
    const { container } = render(<DueTime due={{ due_date: null, due_all_day: false }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
