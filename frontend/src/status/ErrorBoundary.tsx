// Last line of defence: a rendering error shows a message with a way out, never a blank page.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('TaskFlow: unexpected error while rendering', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <main className="page">
        <section className="empty" role="alert">
          <h1>Something went wrong</h1>
          <p>The page hit an unexpected error. Your saved tasks are safe on the server.</p>
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              window.location.reload();
            }}
          >
            Reload the page
          </button>
        </section>
      </main>
    );
  }
}
