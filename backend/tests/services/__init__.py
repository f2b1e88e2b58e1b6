"""Tests of the query layer and the services beside it."""
