import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { makeTask, renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import { CreateTaskDialog } from './CreateTaskDialog';
import { EditTaskDialog } from './EditTaskDialog';
import { QuickAdd } from './QuickAdd';

function quietLists() {
  server.use(
    http.get(`${API}/tasks`, () => HttpResponse.json([], { headers: { 'X-Total-Count': '0' } })),
    http.get(`${API}/tasks/stats`, () => HttpResponse.json({})),
  );
}

/** Render a dialog; `closed()` says whether it has asked to close. */
function openDialog(render: (onClose: () => void) => ReactElement, name: string) {
  let closed = false;
  renderWithClient(
    render(() => {
      closed = true;
    }),
  );
  return { dialog: screen.getByRole('dialog', { name }), closed: () => closed };
}

describe('CreateTaskDialog', () => {
  it("shows the server's 422 on the field it concerns and keeps the dialog open", async () => {
    quietLists();
    server.use(
      http.post(`${API}/tasks`, () =>
        HttpResponse.json({ detail: [{ loc: ['body', 'title'], msg: 'Title is already taken', type: 'value_error' }] }, { status: 422 }),
      ),
    );
    const user = userEvent.setup();
    const { dialog, closed } = openDialog((onClose) => <CreateTaskDialog onClose={onClose} />, 'New task');
    await user.type(within(dialog).getByLabelText('Title'), 'Taken');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));

    const title = await within(dialog).findByLabelText('Title');
    await waitFor(() => {
      expect(title).toHaveAttribute('aria-invalid', 'true');
    });
    expect(title).toHaveAccessibleDescription('Title is already taken');
    expect(within(dialog).getByLabelText('Description')).not.toHaveAttribute('aria-invalid');
    expect(closed()).toBe(false);
  });

  it('refuses a title of spaces and invisible characters on its field, without a request', async () => {
    quietLists();
    let posted = false;
    server.use(
      http.post(`${API}/tasks`, () => {
        posted = true;
        return HttpResponse.json(makeTask(), { status: 201 });
      }),
    );
    const user = userEvent.setup();
    renderWithClient(<CreateTaskDialog onClose={() => undefined} />);
    const dialog = screen.getByRole('dialog', { name: 'New task' });
    await user.type(within(dialog).getByLabelText('Title'), ' \u200b\u2060 \u200f');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));

    const title = within(dialog).getByLabelText('Title');
    await waitFor(() => {
      expect(title).toHaveAttribute('aria-invalid', 'true');
    });
    expect(title).toHaveAccessibleDescription('Enter a title: spaces and invisible characters alone do not count.');
    expect(posted).toBe(false);
  });

  it('a date without a time is sent as a day', async () => {
    quietLists();
    let body: unknown;
    server.use(
      http.post(`${API}/tasks`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(makeTask({ title: 'Day', due_date: '2026-12-01T00:00:00Z', due_all_day: true }), { status: 201 });
      }),
    );
    const user = userEvent.setup();
    const { dialog, closed } = openDialog((onClose) => <CreateTaskDialog onClose={onClose} />, 'New task');
    await user.type(within(dialog).getByLabelText('Title'), 'Day');
    fireEvent.change(within(dialog).getByLabelText('Due date'), { target: { value: '2026-12-01' } });
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));
    await waitFor(() => {
      expect(closed()).toBe(true);
    });
    expect(body).toMatchObject({ title: 'Day', due_date: '2026-12-01' });
  });

  it('sends the whole form and closes on success', async () => {
    quietLists();
    let body: unknown;
    server.use(
      http.post(`${API}/tasks`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(makeTask({ title: 'Ship it' }), { status: 201 });
      }),
    );
    const user = userEvent.setup();
    const { dialog, closed } = openDialog((onClose) => <CreateTaskDialog onClose={onClose} />, 'New task');
    await user.type(within(dialog).getByLabelText('Title'), 'Ship it');
    await user.type(within(dialog).getByLabelText('Description'), 'Before Friday');
    await user.selectOptions(within(dialog).getByLabelText('Priority'), 'high');
    await user.type(within(dialog).getByLabelText('Assignee'), 'ann');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));
    await waitFor(() => {
      expect(closed()).toBe(true);
    });
    expect(body).toEqual({ title: 'Ship it', description: 'Before Friday', status: 'todo', priority: 'high', assignee: 'ann', due_date: null });
  });
});

describe('EditTaskDialog', () => {
  it('opens a day task as a day (a date, no time) and saves an unrelated change without touching it', async () => {
    quietLists();
    const task = makeTask({ title: 'Day task', due_date: '2026-12-01T00:00:00Z', due_all_day: true });
    let body: unknown;
    server.use(
      http.get(`${API}/tasks/${task.id}`, () => HttpResponse.json(task)),
      http.patch(`${API}/tasks/${task.id}`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ ...task, priority: 'high', version: 2 });
      }),
    );
    const user = userEvent.setup();
    renderWithClient(<EditTaskDialog taskId={task.id} onClose={() => undefined} />);
    const dialog = screen.getByRole('dialog', { name: 'Edit task' });
    expect(await within(dialog).findByLabelText('Due date')).toHaveValue('2026-12-01');
    expect(within(dialog).getByLabelText('Due time (optional)')).toHaveValue('');
    await user.selectOptions(within(dialog).getByLabelText('Priority'), 'high');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => {
      expect(body).toEqual({ priority: 'high' });
    });
  });

  it('on 412 says someone else changed the task, and Reload shows their version', async () => {
    quietLists();
    const mine = makeTask({ title: 'Original', version: 1 });
    const theirs = { ...mine, title: 'Changed elsewhere', version: 2 };
    let current = mine;
    server.use(
      http.get(`${API}/tasks/${mine.id}`, () => HttpResponse.json(current)),
      http.patch(`${API}/tasks/${mine.id}`, ({ request }) => {
        expect(request.headers.get('If-Match')).toBe('"1"');
        current = theirs;
        return HttpResponse.json({ detail: 'The task was changed by someone else' }, { status: 412 });
      }),
    );
    const user = userEvent.setup();
    renderWithClient(<EditTaskDialog taskId={mine.id} onClose={() => undefined} />);
    const dialog = screen.getByRole('dialog', { name: 'Edit task' });
    const title = await within(dialog).findByLabelText('Title');
    expect(title).toHaveValue('Original');

    await user.clear(title);
    await user.type(title, 'My edit');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/Someone else changed this task/)).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Reload task' }));
    await waitFor(() => {
      expect(within(dialog).getByLabelText('Title')).toHaveValue('Changed elsewhere');
    });
    expect(within(dialog).queryByText(/Someone else changed this task/)).not.toBeInTheDocument();
  });

  it('deletes only after confirmation, with If-Match', async () => {
    quietLists();
    const task = makeTask({ version: 4 });
    let deletedWith: string | null = null;
    server.use(
      http.get(`${API}/tasks/${task.id}`, () => HttpResponse.json(task)),
      http.delete(`${API}/tasks/${task.id}`, ({ request }) => {
        deletedWith = request.headers.get('If-Match');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    const { dialog, closed } = openDialog((onClose) => <EditTaskDialog taskId={task.id} onClose={onClose} />, 'Edit task');
    await user.click(await within(dialog).findByRole('button', { name: 'Delete…' }));
    expect(deletedWith).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => {
      expect(closed()).toBe(true);
    });
    expect(deletedWith).toBe('"4"');
  });
});

describe('QuickAdd', () => {
  it('refuses an invisible title with a message, and sends a title NFC-normalised', async () => {
    quietLists();
    const posted: unknown[] = [];
    server.use(
      http.post(`${API}/tasks`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(makeTask(), { status: 201 });
      }),
    );
    const user = userEvent.setup();
    renderWithClient(<QuickAdd />);
    const input = screen.getByLabelText('Quick add a task');
    await user.type(input, '\u200b\u200d{Enter}');
    expect(input).toHaveAccessibleDescription('Enter a title: spaces and invisible characters alone do not count.');
    expect(posted).toEqual([]);

    await user.clear(input);
    await user.type(input, 'Cafe\u0301{Enter}');
    await waitFor(() => {
      expect(posted).toEqual([{ title: 'Caf\u00e9' }]);
    });
  });
});
