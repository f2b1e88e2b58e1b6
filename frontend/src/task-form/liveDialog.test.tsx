// An open edit dialog and the live stream: a change by someone else is announced, a deletion closes it with a notice.
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { taskEventHandler } from '../api/live';
import type { Task } from '../api/types';
import { makeTask, renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import { EditTaskDialog } from './EditTaskDialog';

async function openOn(task: Task) {
  let current = task;
  let closed = false;
  server.use(http.get(`${API}/tasks/${task.id}`, () => HttpResponse.json(current)));
  const { client } = renderWithClient(
    <EditTaskDialog
      taskId={task.id}
      onClose={() => {
        closed = true;
      }}
    />,
  );
  const dialog = screen.getByRole('dialog', { name: 'Edit task' });
  await within(dialog).findByDisplayValue(task.title);
  const handler = taskEventHandler(client);
  return {
    dialog,
    closed: () => closed,
    /** The server now holds `next`, and the stream says so. */
    changeOnServer: (next: Task) => {
      current = next;
      act(() => {
        handler.handle(JSON.stringify({ type: 'task.updated', id: next.id, version: next.version, task: next }));
      });
    },
    /** The stream tells of a change to another task. */
    otherTask: (other: Task, type: 'task.updated' | 'task.deleted') => {
      act(() => {
        handler.handle(JSON.stringify({ type, id: other.id, version: other.version, task: type === 'task.deleted' ? null : other }));
      });
    },
    deleteOnServer: () => {
      act(() => {
        handler.handle(JSON.stringify({ type: 'task.deleted', id: task.id, version: current.version, task: null }));
      });
    },
  };
}

describe('EditTaskDialog with live updates', () => {
  it('says when someone else changed the task, and loads their version on request', async () => {
    const task = makeTask({ title: 'Write the plan', version: 3 });
    const { dialog, changeOnServer } = await openOn(task);
    const user = userEvent.setup();
    await user.clear(within(dialog).getByLabelText('Title'));
    await user.type(within(dialog).getByLabelText('Title'), 'My edit');

    // An echo of the version the dialog already holds is not a change by someone else.
    changeOnServer(task);
    expect(within(dialog).queryByText(/Changed by someone else/)).toBeNull();

    changeOnServer({ ...task, title: 'Their plan', version: 4 });
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Changed by someone else');
    // What the person typed stays until they choose.
    expect(within(dialog).getByLabelText('Title')).toHaveValue('My edit');

    await user.click(within(dialog).getByRole('button', { name: 'Load their version' }));
    expect(await within(dialog).findByDisplayValue('Their plan')).toBeInTheDocument();
    expect(within(dialog).queryByText(/Changed by someone else/)).toBeNull();
  });

  it('closes with a notice when someone else deletes the task', async () => {
    const task = makeTask({ title: 'Soon gone' });
    const { closed, deleteOnServer } = await openOn(task);
    expect(closed()).toBe(false);
    deleteOnServer();
    expect(closed()).toBe(true);
    expect(screen.getByText('“Soon gone” was deleted by someone else.')).toBeInTheDocument();
  });

  it('ignores events about other tasks', async () => {
    const task = makeTask({ title: 'Mine' });
    const other = makeTask({ title: 'Theirs', version: 9 });
    const { dialog, closed, otherTask } = await openOn(task);
    otherTask(other, 'task.updated');
    otherTask(other, 'task.deleted');
    expect(closed()).toBe(false);
    expect(within(dialog).queryByRole('alert')).toBeNull();
  });
});
