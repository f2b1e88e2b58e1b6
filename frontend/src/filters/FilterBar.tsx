// The filter controls: status, priority, assignee, overdue and a debounced text search, all mirrored in the URL.
import { useEffect, useId, useState } from 'react';
import { PRIORITIES, STATUSES, type TaskFilters } from '../api/types';
import { PRIORITY_LABELS, STATUS_LABELS } from '../tasks/labels';
import { useDebouncedValue } from './useDebouncedValue';
import { hasActiveFilters } from './urlState';

export const SEARCH_DEBOUNCE_MS = 300;

interface Props {
  filters: TaskFilters;
  onChange: (filters: TaskFilters) => void;
}

function toggle<T>(values: T[], value: T): T[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
}

interface ChipGroupProps<T extends string> {
  legend: string;
  values: readonly T[];
  labels: Record<T, string>;
  checked: T[];
  onChange: (checked: T[]) => void;
}

/** A row of checkbox chips, any number of them on: the filter matches any value checked. */
function ChipGroup<T extends string>({ legend, values, labels, checked, onChange }: ChipGroupProps<T>) {
  return (
    <fieldset className="filters__group">
      <legend>{legend}</legend>
      {values.map((value) => (
        <label key={value} className="chip">
          <input
            type="checkbox"
            checked={checked.includes(value)}
            onChange={() => {
              onChange(toggle(checked, value));
            }}
          />
          {labels[value]}
        </label>
      ))}
    </fieldset>
  );
}

/** A text field whose committed value trails typing by the debounce delay, and follows outside changes. */
function useDebouncedField(committed: string, commit: (value: string) => void): [string, (value: string) => void] {
  const [text, setText] = useState(committed);
  const [lastCommitted, setLastCommitted] = useState(committed);
  const debounced = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  if (committed !== lastCommitted) {
    // The URL changed from elsewhere (clear filters, back button): show that instead of stale typing.
    setLastCommitted(committed);
    setText(committed);
  }
  useEffect(() => {
    if (debounced !== committed) commit(debounced);
    // Only a settled new value commits; `committed` changing alone must not re-commit old text.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  return [text, setText];
}

export function FilterBar({ filters, onChange }: Props) {
  const id = useId();
  const [q, setQ] = useDebouncedField(filters.q, (value) => {
    onChange({ ...filters, q: value });
  });
  const [assignee, setAssignee] = useDebouncedField(filters.assignee, (value) => {
    onChange({ ...filters, assignee: value.trim() });
  });
  // On narrow screens everything but the search folds away behind a toggle (CSS shows it only there).
  const [open, setOpen] = useState(false);
  const active = filters.status.length + filters.priority.length + (filters.assignee ? 1 : 0) + (filters.overdue ? 1 : 0);

  return (
    <section className="filters" aria-label="Filters">
      <div className="filters__field filters__search">
        <label htmlFor={`${id}-q`}>Search</label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="Title or description"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
          }}
        />
      </div>
      <button
        type="button"
        className="button filters__toggle"
        aria-expanded={open}
        aria-controls={`${id}-more`}
        onClick={() => {
          setOpen(!open);
        }}
      >
        Filters{active > 0 ? ` (${String(active)})` : ''}
      </button>
      <div id={`${id}-more`} className={`filters__more${open ? ' is-open' : ''}`}>
        <ChipGroup
          legend="Status"
          values={STATUSES}
          labels={STATUS_LABELS}
          checked={filters.status}
          onChange={(status) => {
            onChange({ ...filters, status });
          }}
        />
        <ChipGroup
          legend="Priority"
          values={PRIORITIES}
          labels={PRIORITY_LABELS}
          checked={filters.priority}
          onChange={(priority) => {
            onChange({ ...filters, priority });
          }}
        />
        <div className="filters__field">
          <label htmlFor={`${id}-assignee`}>Assignee</label>
          <input
            id={`${id}-assignee`}
            type="text"
            placeholder="Exact name"
            value={assignee}
            onChange={(e) => {
              setAssignee(e.target.value);
            }}
          />
        </div>
        <label className="chip chip--overdue">
          <input
            type="checkbox"
            checked={filters.overdue}
            onChange={(e) => {
              onChange({ ...filters, overdue: e.target.checked });
            }}
          />
          Overdue only
        </label>
      </div>
      {hasActiveFilters(filters) && (
        <button
          type="button"
          className="button button--ghost"
          onClick={() => {
            onChange({ status: [], priority: [], assignee: '', overdue: false, q: '' });
          }}
        >
          Clear filters
        </button>
      )}
    </section>
  );
}
