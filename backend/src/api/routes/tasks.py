"""The task API: list, count and stats with shared filters; create, read, update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from src.api.deps import (
    JSON_BODY,
    FiltersDep,
    IfMatch,
    ListQueryDep,
    Reader,
    SessionDep,
    WriterDep,
)
from src.errors import error_responses
from src.models import TaskModel
from src.schemas import TaskCount, TaskCreate, TaskRead, TaskStats, TaskUpdate
from src.services import tasks

# Every task route needs a credential (none in single-user mode); writes need one that may write.
router = APIRouter(
    prefix="/tasks", tags=["tasks"], dependencies=[Reader], responses=error_responses(401)
)


def _link_header(request: Request, query: ListQueryDep, total: int) -> str | None:
    pages = []
    if query.offset + query.limit < total:
        pages.append(("next", query.offset + query.limit))
    if query.offset > 0:
        pages.append(("prev", max(query.offset - query.limit, 0)))
    return ", ".join(
        f'<{request.url.include_query_params(offset=offset)}>; rel="{rel}"' for rel, offset in pages
    )


@router.get("", response_model=list[TaskRead], responses=error_responses())
def list_tasks(
    request: Request, response: Response, session: SessionDep, query: ListQueryDep
) -> list[tasks.TaskRow]:
    page, total = tasks.list_tasks(session, query=query)
    response.headers["X-Total-Count"] = str(total)
    if link := _link_header(request, query, total):
        response.headers["Link"] = link
    return page


@router.get("/count", response_model=TaskCount, responses=error_responses())
def count_tasks(session: SessionDep, filters: FiltersDep) -> TaskCount:
    return TaskCount(total=tasks.count_tasks(session, filters=filters))


@router.get("/stats", response_model=TaskStats, responses=error_responses())
def task_stats(session: SessionDep, filters: FiltersDep) -> TaskStats:
    return tasks.task_stats(session, filters=filters)


@router.post(
    "",
    response_model=TaskRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    responses=error_responses(403, 413, 415),
)
def create_task(
    data: TaskCreate, response: Response, session: SessionDep, writer: WriterDep
) -> TaskModel:
    task = tasks.create_task(session, data=data, by=writer.user.id if writer else None)
    response.headers["Location"] = f"/tasks/{task.id}"
    response.headers["ETag"] = tasks.etag(task)
    return task


@router.get("/{task_id}", response_model=TaskRead, responses=error_responses(404))
def read_task(task_id: str, response: Response, session: SessionDep) -> TaskModel:
    task = tasks.get_task(session, task_id=task_id)
    response.headers["ETag"] = tasks.etag(task)
    return task


_UPDATE_ERRORS = error_responses(403, 404, 412, 413, 415)
_UPDATE_DESCRIPTION = (
    "A partial update: only the fields sent change; null clears description, assignee and due_date."
)


# PUT does what PATCH does (a partial update), as the tutorial's clients expect of PUT.
@router.patch(
    "/{task_id}",
    name="patch_task",
    response_model=TaskRead,
    dependencies=JSON_BODY,
    responses=_UPDATE_ERRORS,
    description=_UPDATE_DESCRIPTION,
)
@router.put(
    "/{task_id}",
    name="put_task",
    response_model=TaskRead,
    dependencies=JSON_BODY,
    responses=_UPDATE_ERRORS,
    description=_UPDATE_DESCRIPTION,
)
def update_task(
    task_id: str,
    changes: TaskUpdate,
    response: Response,
    session: SessionDep,
    writer: WriterDep,
    if_match: IfMatch = None,
) -> TaskModel:
    task = tasks.update_task(
        session,
        task_id=task_id,
        changes=changes.changes(),
        if_match=if_match,
        by=writer.user.id if writer else None,
    )
    response.headers["ETag"] = tasks.etag(task)
    return task


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(403, 404, 412),
)
def delete_task(
    task_id: str, session: SessionDep, _writer: WriterDep, if_match: IfMatch = None
) -> None:
    tasks.delete_task(session, task_id=task_id, if_match=if_match)
