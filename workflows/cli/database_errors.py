"""The CLI's name for workflows/service/database_errors.py, where the words for a failure of the database now live
(the sweep and /readyz say them too)."""
from workflows.service.database_errors import INIT, DatabaseProblem, Target, database_problem, first_line

__all__ = ["INIT", "DatabaseProblem", "Target", "database_problem", "first_line"]
