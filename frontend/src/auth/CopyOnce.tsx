// A secret shown once (an API token, an invitation link): selected, with a copy button, until dismissed.
import { useEffect, useId, useRef, useState } from 'react';

interface Props {
  title: string;
  /** The input's accessible name. */
  label: string;
  secret: string;
  note: string;
  onDone: () => void;
}

export function CopyOnce({ title, label, secret, note, onDone }: Props) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState('');

  // Focus lands on the secret, so a screen reader reads it out and Ctrl+C copies it.
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [secret]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setStatus('Copied to the clipboard.');
    } catch {
      // No clipboard access (an insecure origin, a refused permission): the text is selected to copy by hand.
      input.current?.select();
      setStatus('Could not copy by itself: the text is selected, press Ctrl+C (⌘C on a Mac).');
    }
  };

  return (
    <div className="secret" role="group" aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="secret__title">
        {title}
      </p>
      <p id={`${id}-note`}>{note}</p>
      <div className="secret__row">
        <label htmlFor={`${id}-value`} className="visually-hidden">
          {label}
        </label>
        <input
          ref={input}
          id={`${id}-value`}
          className="secret__value"
          readOnly
          value={secret}
          aria-describedby={`${id}-note`}
          onFocus={(e) => {
            e.currentTarget.select();
          }}
        />
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" className="secret__status">
        {status}
      </p>
    </div>
  );
}
