// Counts per status and overdue from /tasks/stats; refetched after every change.
import { useStats } from '../api/hooks';
import { STATUSES } from '../api/types';
import { STATUS_LABELS } from '../tasks/labels';

export function StatsBar() {
  const { data, isPending, isError } = useStats();
  if (isError && !data) return null;
  return (
    <section className="stats" aria-label="Task statistics" aria-busy={isPending}>
      <dl className="stats__list">
        <div className="stats__item">
          <dt>Total</dt>
          <dd data-testid="stat-total">{data ? data.total : '–'}</dd>
        </div>
        {STATUSES.map((status) => (
          <div key={status} className={`stats__item stats__item--${status}`}>
            <dt>{STATUS_LABELS[status]}</dt>
            <dd data-testid={`stat-${status}`}>{data ? data.by_status[status] : '–'}</dd>
          </div>
        ))}
        <div className={`stats__item stats__item--overdue${data && data.overdue > 0 ? ' is-alert' : ''}`}>
          <dt>Overdue</dt>
          <dd data-testid="stat-overdue">{data ? data.overdue : '–'}</dd>
        </div>
      </dl>
    </section>
  );
}
