"""The ceiling: the cheapest endpoint this server stack can serve, under the app's server flags.

Every scenario's throughput is reported as a ratio to this one, measured in the same run, so the
figures say how much of the machine the app itself costs rather than how fast the machine is.
"""

from fastapi import FastAPI

from src.logs import configure_logging

# The app's log format, so the ceiling's access lines cost what the app's do.
configure_logging("INFO")

app = FastAPI(title="TaskFlow benchmark ceiling")


@app.get("/ceiling")
def ceiling() -> dict[str, str]:
    """A plain `def` endpoint, as TaskFlow's are: it runs in the same thread pool."""
    return {"status": "ok"}
