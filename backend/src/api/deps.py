"""The API's dependencies, named once as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query
from sqlalchemy.orm import Session

from src.database import get_db
from src.request_body import require_json
from src.schemas import TaskFilters, TaskListQuery

# scope="function": the session closes once FastAPI has validated the route's answer, before
# the answer is sent. Its connection goes back to the pool earlier still: each function of the
# query layer ends its transaction before it returns (see services/tasks.py), because that
# validation runs in a worker thread of its own, and a read waiting for that thread while
# holding a connection could stall the pool.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
ListQueryDep = Annotated[TaskListQuery, Query()]
FiltersDep = Annotated[TaskFilters, Query()]
IfMatch = Annotated[str | None, Header(description="An ETag from an earlier answer, or *")]
# For routes with a body: a body that is not declared as JSON is a 415, before it is read.
JSON_BODY = [Depends(require_json)]
