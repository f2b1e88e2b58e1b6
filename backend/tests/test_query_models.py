"""QueryModel reads and documents a query string as FastAPI's own `Annotated[M, Query()]` does."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from src.query_models import QueryModel, document_query_models
from src.schemas import TaskFilters, TaskListQuery

QUERIES = [
    "",
    "limit=7&offset=3&sort=-title",
    "status=todo&status=done&priority=high",
    "limit=1&limit=9",  # the last value of a single-valued parameter
    "limit=abc&limit=2",
    "status=todo&status=nope",
    "status=",
    "limit=0",
    "limit=501&offset=-1&sort=bogus",
    "offset=99999999999999999999",
    "assignee=%20alice%20&q=%F0%9F%98%80",
    "assignee=&q=%00",
    "due_before=2026-01-01&due_after=2026-01-01T10:00:00%2B02:00",
    "due_before=1700000000",
    "overdue=yes&overdue=maybe",
    "unknown=1&status=in_progress&unknown=2",
]


def twin_apps(model: type[BaseModel]) -> tuple[FastAPI, FastAPI]:
    """The same echo route, reading `model` FastAPI's way and QueryModel's way."""
    by_fastapi, by_query_model = FastAPI(), FastAPI()
    query_model = QueryModel(model)

    def echo_fastapi(query: Any) -> dict[str, Any]:
        return dict(query.model_dump(mode="json"))

    def echo_query_model(query: Any) -> dict[str, Any]:
        return dict(query.model_dump(mode="json"))

    echo_fastapi.__annotations__ = {"query": Annotated[model, Query()], "return": dict[str, Any]}
    echo_query_model.__annotations__ = {
        "query": Annotated[model, Depends(query_model)],
        "return": dict[str, Any],
    }
    echo_fastapi.__name__ = echo_query_model.__name__ = "echo"  # the same documented titles
    by_fastapi.get("/echo")(echo_fastapi)
    by_query_model.get("/echo")(echo_query_model)
    document_query_models(by_query_model)
    return by_fastapi, by_query_model


@pytest.mark.parametrize("model", [TaskListQuery, TaskFilters])
def test_every_query_gets_the_answer_fastapi_gives(model: type[BaseModel]) -> None:
    by_fastapi, by_query_model = twin_apps(model)
    with TestClient(by_fastapi) as expected, TestClient(by_query_model) as actual:
        for query in QUERIES:
            want = expected.get(f"/echo?{query}")
            got = actual.get(f"/echo?{query}")
            assert (got.status_code, got.json()) == (want.status_code, want.json()), query
    statuses = {TestClient(by_fastapi).get(f"/echo?{q}").status_code for q in QUERIES}
    assert statuses == {200, 422}  # both kinds of answer were compared


@pytest.mark.parametrize("model", [TaskListQuery, TaskFilters])
def test_the_operation_is_documented_as_fastapi_documents_it(model: type[BaseModel]) -> None:
    by_fastapi, by_query_model = twin_apps(model)

    expected = by_fastapi.openapi()["paths"]["/echo"]["get"]
    actual = by_query_model.openapi()["paths"]["/echo"]["get"]

    assert actual["parameters"] == expected["parameters"]
    assert [p["name"] for p in actual["parameters"]] == list(model.model_fields)
    assert actual["responses"] == expected["responses"]
    assert "422" in actual["responses"]


def test_models_it_would_read_differently_are_refused() -> None:
    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")
        limit: int = 1

    class Aliased(BaseModel):
        limit: int = Field(default=1, alias="max")

    with pytest.raises(ValueError, match="unknown fields"):
        QueryModel(Strict)
    with pytest.raises(ValueError, match="aliases"):
        QueryModel(Aliased)
