// Shows notices in a live region at the bottom of the page; errors stay until dismissed or acted on.
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { NoticeContext, type Notice } from './notices';

const INFO_MS = 6_000;

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    setNotices((current) => current.filter((n) => n.id !== id));
  }, []);

  const notify = useCallback(
    (notice: Omit<Notice, 'id'>) => {
      const id = nextId.current++;
      setNotices((current) => [...current.slice(-3), { ...notice, id }]);
      if (notice.tone === 'info') {
        window.setTimeout(() => {
          dismiss(id);
        }, INFO_MS);
      }
    },
    [dismiss],
  );

  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div className="notices" role="region" aria-label="Notifications">
        <div role="status" aria-live="polite" className="notices__stack">
          {notices.map((notice) => (
            <div key={notice.id} className={`notice notice--${notice.tone}`}>
              <span className="notice__message">{notice.message}</span>
              {notice.action && (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => {
                    notice.action?.run();
                    dismiss(notice.id);
                  }}
                >
                  {notice.action.label}
                </button>
              )}
              <button
                type="button"
                className="button button--small button--ghost"
                aria-label="Dismiss notification"
                onClick={() => {
                  dismiss(notice.id);
                }}
              >
                ×
              </button>
            </div>
          ))}
        </div>
      </div>
    </NoticeContext.Provider>
  );
}
